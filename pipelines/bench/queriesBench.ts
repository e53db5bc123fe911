/**
 * Insights benchmark (not a test), by ../shared/BENCHMARKS.md: the bench data set loaded through the
 * public ingest routes (loadedStore.ts), then, right after the load, every insights route for the year
 * 2025 of the large merchant, called over HTTP by a client in its own process, beside the bare engine
 * answering the same question from plain MergeTree tables of the same lines (bareQuestions.ts),
 * route by route: the route's two untimed calls and --repeat timed calls, then the bare engine's two untimed
 * and timed calls, and the ratios.
 *
 * The server computes every answer (its answer cache is off unless --answer-cache): the figures are what
 * the first user after each load waits for.
 *
 *   npm run bench -- queries [--lines 10000000] [--repeat 20] [--bare-repeat n] [--load ndjson|parquet]
 *                            [--keep] [--reuse] [--only <text>]
 *
 * --bare-repeat times fewer bare calls per route than --repeat: at 100M lines each bare answer takes
 * seconds (up to about 18 right after the load), so 15 of them per route made the run an hour.
 */
import { benchYear, largeMerchant } from './benchData.ts'
import { bareQuestions } from './bareQuestions.ts'
import { loadAverage, percentile } from './benchServer.ts'
import { openLoadedStore, storeOptions, type LoadedStore } from './loadedStore.ts'

export function routeUrl(store: LoadedStore, route: string, extra = ''): string {
  const [pathPart, query = ''] = route.split('?')
  const params = new URLSearchParams(query)
  params.set('from', benchYear.from)
  params.set('to', benchYear.to)
  for (const [k, v] of new URLSearchParams(extra)) params.set(k, v)
  return `${store.server.base}/api/v1/merchants/${largeMerchant}/${pathPart}?${params.toString()}`
}

async function timeBare(store: LoadedStore, sql: string): Promise<number> {
  const started = performance.now()
  const result = await store.db.client.query({
    query: sql,
    query_params: {
      m: largeMerchant,
      fromAt: `${benchYear.from} 00:00:00`,
      toAt: '2026-01-01 00:00:00',
      tz: 'America/New_York',
    },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'bench.bare' },
  })
  await result.text()
  return performance.now() - started
}

export async function runQueriesBench(args: string[]): Promise<void> {
  const options = storeOptions('queries', 'times every insights route against the bare engine', args, (c) =>
    c
      .option('--repeat <n>', 'timed calls per route (at least 15)', (v) => Number(v), 20)
      .option('--bare-repeat <n>', 'timed bare-engine calls per route (default: as many as --repeat)', (v) =>
        Number(v),
      )
      .option('--only <text>', 'time only the routes whose path contains this text')
      .option(
        '--answer-cache',
        'keep answers as the server does (every timed call then reads the cache)',
        false,
      ),
  )
  const repeat = Math.max(15, Number(options.repeat))
  const bareRepeat = Math.max(1, Math.min(repeat, Number(options.bareRepeat ?? repeat)))
  const say = (m: string) => console.log(`bench queries: ${m} (load average ${loadAverage()})`)
  const store = await openLoadedStore(options, say)
  try {
    const table = [
      `| route (2025, ${largeMerchant}) | p50 ms | p95 ms | bare p50 ms | bare p95 ms | ratio p50 | ratio p95 | load average |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    ]
    const only = typeof options.only === 'string' ? options.only : ''
    for (const { route, sql } of bareQuestions.filter((q) => q.route.includes(only))) {
      const url = routeUrl(store, route)
      const http: number[] = []
      const bare: number[] = []
      // Each side in its own phase, so that no call runs in the wake of the other side's (at 100M lines a
      // bare call is a scan of 33M lines lasting seconds), and --bare-repeat can be fewer.
      for (let i = -2; i < repeat; i++) {
        if (i === 0) store.server.statements.clear()
        const answer = await store.client.get(store.server, [url])
        if (i >= 0) http.push(answer.ms)
      }
      for (let i = -2; i < bareRepeat; i++) {
        const bareMs = await timeBare(store, sql)
        if (i >= 0) bare.push(bareMs)
      }
      const [h50, h95, b50, b95] = [50, 95, 50, 95].map((p, i) => percentile(i < 2 ? http : bare, p)) as [
        number,
        number,
        number,
        number,
      ]
      const line = `| ${route} | ${[h50, h95, b50, b95].map((v) => v.toFixed(0)).join(' | ')} | ${(h50 / b50).toFixed(2)} | ${(h95 / b95).toFixed(2)} | ${loadAverage()} |`
      table.push(line)
      say(line)
      const spent = [...store.server.statements].map(
        ([name, ms]) => `${name} ${percentile(ms, 50).toFixed(0)} ms x${Math.round(ms.length / repeat)}`,
      )
      say(`  p50 of each statement: ${spent.join(', ')}`)
      say(`  calls in order (ms): ${http.map((ms) => ms.toFixed(0)).join(' ')}`)
    }
    console.log(
      `\n${store.files.lines.toLocaleString('en-US')} lines (${store.files.linesOfLarge.toLocaleString('en-US')} of ${largeMerchant}); ${store.loaded}; ${repeat} timed calls per route, ${bareRepeat} of the bare engine; finished ${new Date().toISOString()}\n`,
    )
    console.log(table.join('\n'))
  } finally {
    await store.close()
  }
}
