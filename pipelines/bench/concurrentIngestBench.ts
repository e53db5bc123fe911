import { Command } from 'commander'
import { runConcurrentLoads } from './concurrentLoads.ts'

/**
 * Several NDJSON loads sent at once to the real server (its own process, embedded engine), on the
 * server's default settings unless flags say otherwise; prints the server's resident memory, ready and peak.
 */
export async function concurrentIngestBench(args: string[]): Promise<void> {
  const options = new Command('bench concurrent-ingest')
    .description(
      'Starts the server and sends several large NDJSON loads at once; prints peak memory and rate',
    )
    .option('--loads <n>', 'loads sent at once', (v) => Number(v), 6)
    .option('--lines <n>', 'lines per load (about 260 bytes each)', (v) => Number(v), 1_000_000)
    .option('--env <NAME=value...>', 'server settings, e.g. INGEST_CHUNK_BYTES=268435456', [])
    .parse(['node', 'bench', ...args])
    .opts<{ loads: number; lines: number; env: string[] }>()
  const serverEnv = Object.fromEntries(
    options.env.map((pair) => {
      const [name = '', ...value] = pair.split('=')
      return [name, value.join('=')]
    }),
  )
  const result = await runConcurrentLoads({ loads: options.loads, linesPerLoad: options.lines, serverEnv })
  const inserted = result.ledgers.reduce((sum, l) => sum + l.inserted, 0)
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MiB`
  console.log(`settings: ${JSON.stringify(serverEnv)} (others default)`)
  console.log(
    `${options.loads} loads x ${options.lines.toLocaleString('en-US')} lines at once: ${inserted.toLocaleString('en-US')} stored (${result.storedLines.toLocaleString('en-US')} in the table) in ${(result.ms / 1000).toFixed(1)} s, ${Math.round(inserted / (result.ms / 1000)).toLocaleString('en-US')} rows/s`,
  )
  console.log(`503 answers (each retried after its Retry-After): ${result.refusals.length}`)
  console.log(
    `server resident memory: ${mib(result.readyRssBytes)} when ready, ${mib(result.peakRssBytes)} at its peak`,
  )
}
