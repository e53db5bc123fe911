/**
 * Ten dashboards opening Insights at the same moment (not a test): each asks what the Insights page asks
 * first for the year 2025 of the large merchant on its default clock (summary and trend with the
 * comparison period, all products, hour x weekday): 40 requests sent at once by a client in its own
 * process, over the bench data set loaded through the public routes (loadedStore.ts). Prints the time
 * until every panel of every view is filled, and the median view's, for two untimed then --rounds rounds.
 * The first round is the one that computes: later rounds find the answers kept (answerCache.ts) while the
 * data has not changed; --no-answer-cache computes every request.
 *
 *   npm run bench -- concurrency [--lines 10000000] [--views 10] [--rounds 5] [--keep] [--reuse]
 */
import { loadAverage, percentile } from './benchServer.ts'
import { openLoadedStore, storeOptions } from './loadedStore.ts'
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
      .option('--no-answer-cache', 'compute every request (the server keeps answers until the data changes)'),
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
    for (let round = -2; round < Number(options.rounds); round++) {
      const answer = await store.client.get(store.server, urls)
      // A view is filled when its slowest panel is.
      const viewMs = Array.from({ length: views }, (_, v) =>
        Math.max(...answer.each.slice(v * panels.length, (v + 1) * panels.length).map((e) => e.ms)),
      )
      const line = `| ${round < 0 ? `untimed ${round + 3}` : round + 1} | ${urls.length} | ${answer.ms.toFixed(0)} | ${percentile(viewMs, 50).toFixed(0)} | ${Math.min(...answer.each.map((e) => e.ms)).toFixed(0)} | ${loadAverage()} |`
      table.push(line)
      say(line)
    }
    console.log(
      `\n${store.files.lines.toLocaleString('en-US')} lines; ${store.loaded}; ${views} views x ${panels.length} panels; finished ${new Date().toISOString()}\n`,
    )
    console.log(table.join('\n'))
  } finally {
    await store.close()
  }
}
