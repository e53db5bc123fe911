import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { Command } from 'commander'

/**
 * An open-loop load generator (its own process) against a running server: `rate` GET requests per
 * second, sent on schedule whether or not earlier ones have answered (a slow server is not given a
 * rest), for `seconds`. Latency is measured from each request's scheduled time, so queueing in this
 * process counts against the server too. Prints achieved answers/s and latency percentiles.
 */
export async function httpLoadBench(args: string[]): Promise<void> {
  const options = new Command('bench http-load')
    .description('GET one path at a fixed rate against a running server and print latency percentiles')
    .requiredOption('--url <url>', 'base URL of the running server, e.g. http://127.0.0.1:8080')
    .option('--path <path>', 'path to GET', '/api/v1/merchants')
    .option('--key <key>', 'API key (default: $TILLSIGHT_KEY)')
    .option('--rate <n>', 'requests per second', (v) => Number(v), 1000)
    .option('--seconds <n>', 'how long to send', (v) => Number(v), 20)
    .option('--sockets <n>', 'kept-alive connections at most', (v) => Number(v), 64)
    .parse(['node', 'bench', ...args])
    .opts<{ url: string; path: string; key?: string; rate: number; seconds: number; sockets: number }>()
  const key = options.key ?? process.env.TILLSIGHT_KEY ?? ''
  const target = new URL(options.path, options.url).toString()
  const headers = { authorization: `Bearer ${key}` }
  // Kept-alive sockets, as a browser or a service client would hold them.
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.sockets })
  const get = () =>
    new Promise<number>((resolve, reject) => {
      http
        .get(target, { agent, headers }, (res) => {
          res.resume()
          res.once('end', () => resolve(res.statusCode ?? 0))
          res.once('error', reject)
        })
        .once('error', reject)
    })
  // Two untimed calls first, as BENCHMARKS.md allows.
  for (let i = 0; i < 2; i++) await get()

  const latencies: number[] = []
  const statuses = new Map<string, number>()
  const pending: Promise<void>[] = []
  const tickMs = 10
  const started = performance.now()
  let sent = 0
  while (performance.now() - started < options.seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * options.rate)
    for (; sent < due; sent++) {
      const scheduled = started + (sent * 1000) / options.rate
      pending.push(
        get()
          .then((status) => {
            latencies.push(performance.now() - scheduled)
            statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1)
          })
          .catch((err: unknown) => {
            const code = (err as { code?: string }).code ?? 'error'
            statuses.set(code, (statuses.get(code) ?? 0) + 1)
          }),
      )
    }
    await sleep(Math.max(1, tickMs - ((performance.now() - started) % tickMs)))
  }
  const sending = (performance.now() - started) / 1000
  await Promise.all(pending)
  agent.destroy()
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN
  console.log(
    JSON.stringify(
      {
        target: options.path,
        rate: options.rate,
        seconds: Math.round(sending * 10) / 10,
        sent,
        answered: latencies.length,
        answersPerSecond: Math.round(latencies.length / elapsed),
        statuses: Object.fromEntries(statuses),
        ms: { p50: at(50), p95: at(95), p99: at(99), max: latencies.at(-1) ?? NaN },
      },
      (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v),
      2,
    ),
  )
}
