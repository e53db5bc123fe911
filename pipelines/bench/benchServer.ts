import { spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { createApp } from '../../server/app.ts'
import { createKey } from '../../server/auth/apiKeys.ts'
import type { BatchLedger } from '../../server/contract.ts'
import type { Db } from '../../server/db/createDb.ts'
import { createSegmentMembership } from '../../server/segments/segmentMembership.ts'
import { createWeatherSlotBuilds } from '../../server/weather/weatherSlotBuilds.ts'
import type { BenchFiles } from './benchData.ts'

export interface BenchServer {
  base: string
  key: string
  /** Milliseconds of every statement the app ran, by its log_comment, since the last `statements.clear()`. */
  statements: Map<string, number[]>
  close(): Promise<void>
}

/**
 * The app's engine client, timing each query and command by its log_comment (the embedded engine keeps no
 * system.query_log): where a route's time goes. An embedded query resolves once its whole result is in
 * memory, so this is the statement's time, queueing behind other bound statements included.
 */
function timingDb(db: Db, statements: Map<string, number[]>): Db {
  const client = new Proxy(db.client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver)
      if (prop !== 'query' && prop !== 'command')
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value
      // Commands too: background statements (a weather slots build) show beside the route they ran during.
      return async (params: Parameters<Db['client']['query']>[0]) => {
        const started = performance.now()
        const result = prop === 'query' ? await target.query(params) : await target.command(params)
        const name = String(params.clickhouse_settings?.log_comment ?? 'unnamed')
        statements.set(name, [...(statements.get(name) ?? []), performance.now() - started])
        return result
      }
    },
  })
  return { ...db, client }
}

/** The real app on a loopback port with an admin key, limits wide enough for the bench's bodies. */
export async function startBenchServer(
  db: Db,
  options: { chunkBytes?: number | undefined; answerCacheEntries?: number | undefined } = {},
) {
  const statements = new Map<string, number[]>()
  const timed = timingDb(db, statements)
  // Errors only, on stderr: a failure in the background (a segment refresh) must not pass unseen.
  const logger = pino({ level: 'error' }, pino.destination(2))
  // The app's background work (segment and weather refreshes after ingest), closed with the server so
  // none of it is still running when the bench closes the store.
  const rangeDays = 1100
  const segmentMembership = createSegmentMembership(timed, { limits: { rangeDays }, logger })
  const weatherSlots = createWeatherSlotBuilds(timed, { logger })
  // As main.ts: a reused store's last build is read again while what it was built from is unchanged.
  await weatherSlots.adoptRecorded()
  const app = createApp({
    db: timed,
    logger,
    segmentMembership,
    weatherSlots,
    limits: {
      ratePerMinute: 1_000_000,
      jsonBytes: 1 << 20,
      ingestBytes: 2 ** 40,
      rangeDays,
      ...(options.chunkBytes ? { ingestChunkBytes: options.chunkBytes } : {}),
    },
    pseudonymKey: 'bench-pseudonym-key-0123456789',
    answerCacheEntries: options.answerCacheEntries,
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const { key } = await createKey(db, { role: 'admin', name: 'bench' })
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key,
    statements,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await segmentMembership.close()
      await weatherSlots.close()
    },
  } satisfies BenchServer
}

export interface PostAnswer {
  ms: number
  requests: number[]
  ledgers: BatchLedger[]
}
export interface GetAnswer {
  ms: number
  each: { ms: number; status: number }[]
}

/** benchClient.ts in its own Node process (with this process's TypeScript loader). */
export function startBenchClient() {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'benchClient.ts')
  const child = spawn(process.execPath, [...process.execArgv, script], { stdio: ['pipe', 'pipe', 'inherit'] })
  const answers = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  async function ask<T>(command: Record<string, unknown>): Promise<T> {
    child.stdin.write(`${JSON.stringify(command)}\n`)
    const next = await answers.next()
    if (next.done) throw new Error('the bench client stopped')
    const answer = JSON.parse(String(next.value)) as T & { error?: string }
    if (answer.error) throw new Error(`bench client: ${answer.error}`)
    return answer
  }
  return {
    /** Each file as one request, inFlight at a time (1, the default: in turn). */
    post: (server: BenchServer, kind: string, contentType: string, files: string[], inFlight = 1) =>
      ask<PostAnswer>({
        op: 'post',
        url: `${server.base}/api/v1/ingest/${kind}`,
        key: server.key,
        contentType,
        files,
        inFlight,
      }),
    get: (server: BenchServer, urls: string[]) => ask<GetAnswer>({ op: 'get', key: server.key, urls }),
    send: <T>(server: BenchServer, method: string, route: string, body?: unknown) =>
      ask<{ status: number; body: T }>({
        op: 'send',
        method,
        url: `${server.base}${route}`,
        key: server.key,
        body,
      }),
    close() {
      child.stdin.end()
    },
  }
}
export type BenchClient = ReturnType<typeof startBenchClient>

/** Stores, hourly weather and FX rates, loaded through the public ingest routes like any client's. */
export async function loadReferenceData(client: BenchClient, server: BenchServer, files: BenchFiles) {
  await client.post(server, 'stores', 'application/x-ndjson', [files.stores])
  await client.post(server, 'weather', 'application/x-ndjson', [files.weather])
  await client.post(server, 'fx-rates', 'application/x-ndjson', [files.fx])
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

/** The 1-minute load average, printed beside every figure: the machine is shared. */
export function loadAverage(): string {
  return (os.loadavg()[0] ?? 0).toFixed(2)
}

export function rowsPerSecond(rows: number, ms: number): number {
  return Math.round(rows / (ms / 1000))
}
