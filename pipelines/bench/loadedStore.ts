import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { createDb, type Db } from '../../server/db/createDb.ts'
import { migrate } from '../../server/db/migrate.ts'
import { loadBareTables } from './bareQuestions.ts'
import { benchFiles } from './benchData.ts'
import {
  loadAverage,
  loadReferenceData,
  rowsPerSecond,
  startBenchClient,
  startBenchServer,
} from './benchServer.ts'

export interface StoreOptions {
  lines: number
  dir: string
  load: 'ndjson' | 'parquet'
  reuse: boolean
  keep: boolean
  /** Keep insights answers until the data changes, as the server does (answerCache.ts). */
  answerCache: boolean
}

/** The flags every benchmark over a loaded store takes. */
export function storeOptions(
  name: string,
  description: string,
  args: string[],
  extra?: (c: Command) => Command,
) {
  const command = new Command(`bench ${name}`)
    .description(description)
    .option('--lines <n>', 'transaction lines to generate', (v) => Number(v), 10_000_000)
    .option('--dir <dir>', 'files and store', path.join(os.tmpdir(), 'tillsight-bench-queries'))
    .option(
      '--load <format>',
      'ndjson: 100,000-line requests; parquet: one body (use for 100M lines: NDJSON files would not fit)',
      'ndjson',
    )
    .option(
      '--reuse',
      'time a store loaded and kept by an earlier run (figures are then not "right after the load")',
    )
    .option('--keep', 'keep files and store for a later --reuse', false)
  return (extra ? extra(command) : command)
    .parse(['node', 'bench', ...args])
    .opts<StoreOptions & Record<string, unknown>>()
}

async function bareLines(db: Db): Promise<number> {
  const result = await db.client.query({
    query: `SELECT sum(total_rows) AS n FROM system.tables WHERE database = currentDatabase() AND name = 'bare_lines'`,
    format: 'JSONEachRow',
  })
  const [row] = await result.json<{ n: number | null }>()
  return Number(row?.n ?? 0)
}

/**
 * The bench data set loaded through the public ingest routes into a fresh store (or a kept one with
 * --reuse), the bare reference tables beside it, the app serving it and a client in its own process.
 */
export async function openLoadedStore(options: StoreOptions, say: (m: string) => void) {
  const files = await benchFiles(path.join(options.dir, 'files'), options.lines, say, {
    ndjson: options.load === 'ndjson',
    parquet: options.load === 'parquet',
  })
  const dataDir = path.join(options.dir, 'store')
  const loadedMark = path.join(options.dir, 'loaded.json')
  const reused = options.reuse && fs.existsSync(loadedMark)
  if (!reused) {
    fs.rmSync(dataDir, { recursive: true, force: true })
    fs.rmSync(loadedMark, { force: true })
  }
  const db = await createDb({ mode: 'embedded', dataDir })
  await migrate(db)
  const server = await startBenchServer(db, { answerCacheEntries: options.answerCache ? undefined : 0 })
  const client = startBenchClient()
  const close = async () => {
    client.close()
    await server.close()
    await db.close()
    if (!options.keep) fs.rmSync(options.dir, { recursive: true, force: true })
  }
  try {
    // The reference first, so that timing can start right after our own load.
    if (reused && (await bareLines(db)) === files.lines) say('reusing the bare reference tables')
    else {
      const bareStarted = performance.now()
      await loadBareTables(db, files, options.load)
      say(`bare reference tables loaded in ${((performance.now() - bareStarted) / 1000).toFixed(0)} s`)
    }
    let loaded = reused ? (JSON.parse(fs.readFileSync(loadedMark, 'utf8')) as { note: string }).note : ''
    if (reused) say(`reusing the store: ${loaded}; figures are NOT right after the load`)
    else {
      await loadReferenceData(client, server, files)
      const before = loadAverage()
      const answer =
        options.load === 'ndjson'
          ? await client.post(server, 'transactions', 'application/x-ndjson', files.pieces)
          : await client.post(server, 'transactions', 'application/vnd.apache.parquet', [files.parquet])
      const inserted = answer.ledgers.reduce((sum, l) => sum + l.inserted, 0)
      if (inserted !== files.lines) throw new Error(`loaded ${inserted} of ${files.lines} lines`)
      const how = options.load === 'ndjson' ? `${files.pieces.length} NDJSON requests` : 'one Parquet body'
      loaded = `loaded ${inserted.toLocaleString('en-US')} lines as ${how} over HTTP in ${(answer.ms / 1000).toFixed(0)} s (${rowsPerSecond(inserted, answer.ms).toLocaleString('en-US')} rows/s, load average ${before} before, ${loadAverage()} after), ${new Date().toISOString()}`
      if (options.keep) fs.writeFileSync(loadedMark, JSON.stringify({ note: loaded }))
      say(loaded)
      // Timing starts right after the load: no OPTIMIZE, no waiting for merges.
    }
    return {
      db,
      server,
      client,
      files,
      loaded: reused ? `${loaded} (reused: not right after the load)` : loaded,
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}
export type LoadedStore = Awaited<ReturnType<typeof openLoadedStore>>
