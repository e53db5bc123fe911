/**
 * Ten dashboards opening Insights at the same moment (not a test): each asks what the Insights page asks
 * first for the year 2025 of the large merchant on its default clock (summary and trend with the
 * comparison period, all products, hour x weekday): 40 requests sent at once by a client in its own
 * process, over the bench data set loaded through the public routes (loadedStore.ts). Prints the time
 * until every panel of every view is filled, and the median view's, for two untimed then --rounds rounds.
 * The first round is the one that computes: later rounds find the answers kept (answerCache.ts) while the
 * data has not changed; --no-answer-cache computes every request.
 *
 * --while-refreshing: eight segments of the large merchant are saved (unless the kept store has them), and
 * before each round one line of another merchant is loaded and the views are sent 3.3 s later, about a
 * second into the segment refresh that load sets off (2 s after the last batch): what a dashboard opened
 * just after a terminal's batch sees. The data changed, so every round computes its answers.
 *
 *   npm run bench -- concurrency [--lines 10000000] [--views 10] [--rounds 5] [--while-refreshing] [--keep] [--reuse]
 */
import fs from 'node:fs'
import path from 'node:path'
import type { SegmentList } from '../../server/contract.ts'
import { loadAverage, percentile } from './benchServer.ts'
import { openLoadedStore, storeOptions, type LoadedStore } from './loadedStore.ts'
import { largeMerchant } from './benchData.ts'
import { routeUrl } from './queriesBench.ts'

const panels = [
  'summary?compare=previous_period',
  'sales/by-time?grain=week&compare=previous_period',
  'sales/by-product?limit=1000',
  'sales/by-time?grain=hour_of_day&split=day_of_week',
]

export async function runConcurrencyBench(args: string[]): Promise<void> {
  const options = storeOptions('concurrency', 'ten Insights views opened at once', args, (c) =>
    c
      .option('--views <n>', 'dashboards opening at once', (v) => Number(v), 10)
      .option('--rounds <n>', 'timed rounds', (v) => Number(v), 5)
      .option('--no-answer-cache', 'compute every request (the server keeps answers until the data changes)')
      .option('--while-refreshing', 'send each round while a refresh of eight saved segments runs'),
  )
  const say = (m: string) => console.log(`bench concurrency: ${m} (load average ${loadAverage()})`)
  const store = await openLoadedStore(options, say)
  try {
    const views = Number(options.views)
    const urls = Array.from({ length: views }, () => panels.map((p) => routeUrl(store, p))).flat()
    const table = [
      `| round | requests | every panel filled, ms | median view, ms | fastest request, ms | load average |`,
      '|---|---:|---:|---:|---:|---:|',
    ]
    const refreshing = Boolean(options.whileRefreshing)
    if (refreshing) await saveBenchSegments(store)
    for (let round = -2; round < Number(options.rounds); round++) {
      const sent = new Date()
      if (refreshing) await setOffRefresh(store)
      const answer = await store.client.get(store.server, urls)
      if (refreshing) say(`round ${round + 3}: ${await refreshEnd(store, sent)}`)
      // A view is filled when its slowest panel is.
      const viewMs = Array.from({ length: views }, (_, v) =>
        Math.max(...answer.each.slice(v * panels.length, (v + 1) * panels.length).map((e) => e.ms)),
      )
      const line = `| ${round < 0 ? `untimed ${round + 3}` : round + 1} | ${urls.length} | ${answer.ms.toFixed(0)} | ${percentile(viewMs, 50).toFixed(0)} | ${Math.min(...answer.each.map((e) => e.ms)).toFixed(0)} | ${loadAverage()} |`
      table.push(line)
      say(line)
    }
    console.log(
      `\n${store.files.lines.toLocaleString('en-US')} lines; ${store.loaded}; ${views} views x ${panels.length} panels${refreshing ? ', each round during a refresh of eight segments' : ''}; finished ${new Date().toISOString()}\n`,
    )
    console.log(table.join('\n'))
  } finally {
    await store.close()
  }
}

/** Segments a marketer of the large merchant would keep: spenders, regulars, origins. */
const benchSegments = [
  { name: 'Top 10% spenders', rules: { spendRank: { topPercent: 10, days: 365 } } },
  { name: 'Top 5% of the half year', rules: { spendRank: { topPercent: 5, days: 180 } } },
  { name: 'Lapsed regulars', rules: { visits: { min: 6, days: 365 }, notSeenForDays: 90 } },
  { name: 'Lapsed occasionals', rules: { visits: { min: 4, days: 365 }, notSeenForDays: 60 } },
  { name: 'Tourists', rules: { visitor: 'tourist' } },
  { name: 'Locals', rules: { visitor: 'local' } },
  { name: 'Spent over 300 in 90 days', rules: { spend: { min: 300, currency: 'USD', days: 90 } } },
  { name: 'Spent over 1000 in a year', rules: { spend: { min: 1000, currency: 'USD', days: 365 } } },
]

async function saveBenchSegments(store: LoadedStore): Promise<void> {
  const saved = await store.client.send<SegmentList>(store.server, 'GET', '/api/v1/segments')
  const names = new Set(saved.body.rows.map((s) => s.name))
  for (const segment of benchSegments.filter((s) => !names.has(s.name))) {
    const answer = await store.client.send(store.server, 'POST', '/api/v1/segments', {
      merchantIds: [largeMerchant],
      ...segment,
    })
    if (answer.status !== 201)
      throw new Error(`saving a segment: ${answer.status} ${JSON.stringify(answer.body)}`)
  }
}

/**
 * One line of a merchant of its own (the views' data stay as loaded), then 3.3 s: the refresh it sets off
 * has been running for about a second.
 */
async function setOffRefresh(store: LoadedStore): Promise<void> {
  // Not the decimal milliseconds: 13 digits pass the Luhn check one time in ten, and the line is rejected as
  // a card number (docs/ingestion.md).
  const id = `refresh-probe-${Date.now().toString(36)}`
  const file = path.join(path.dirname(store.files.stores), `${id}.ndjson`)
  fs.writeFileSync(
    file,
    `${JSON.stringify({ transaction_id: id, merchant_id: 'refresh-probe', store_id: 'probe', occurred_at: '2025-12-31T12:00:00Z', product_id: 'probe', quantity: '1', unit_price: '1', currency: 'USD' })}\n`,
  )
  const answer = await store.client.post(store.server, 'transactions', 'application/x-ndjson', [file])
  fs.rmSync(file)
  if (answer.ledgers[0]?.inserted !== 1)
    throw new Error(`the probe line was not stored: ${JSON.stringify(answer.ledgers)}`)
  await new Promise((resolve) => setTimeout(resolve, 3300))
}

/**
 * Waits (up to a minute) until every segment shows a refresh that began after the probe line was sent, so the
 * next round starts on a quiet server; says when it began and by when it had ended, to show the round's
 * views were answered during it.
 */
async function refreshEnd(store: LoadedStore, sent: Date): Promise<string> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    const saved = await store.client.send<SegmentList>(store.server, 'GET', '/api/v1/segments')
    const began = saved.body.rows.map((s) => Date.parse(s.refreshedAt ?? '') - sent.getTime())
    if (began.length && began.every((t) => t > 0)) {
      const seconds = (ms: number) => (ms / 1000).toFixed(1)
      return `the segments' refresh began ${seconds(Math.min(...began))} s after the probe line was sent and had ended by ${seconds(Date.now() - sent.getTime())} s`
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const saved = await store.client.send<SegmentList>(store.server, 'GET', '/api/v1/segments')
  return `no refresh of every segment after the probe line within a minute (${saved.body.rows.map((s) => `${s.name}: ${s.refreshedAt ?? 'never'}`).join('; ')}; probe sent ${sent.toISOString()})`
}
