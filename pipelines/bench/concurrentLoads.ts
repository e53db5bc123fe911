import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { BatchLedger } from '../../server/contract.ts'
import { createDb } from '../../server/db/createDb.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface ConcurrentLoadsOptions {
  /** Loads started at once, each its own batch of linesPerLoad distinct NDJSON lines (about 200 bytes each). */
  loads: number
  linesPerLoad: number
  /** Server settings (e.g. INGEST_CHUNK_BYTES, INGEST_CONCURRENCY); the defaults of server/config.ts otherwise. */
  serverEnv: Record<string, string>
}

export interface ConcurrentLoadsResult {
  ledgers: BatchLedger[]
  /** Every 503 a load was answered with before it was admitted, with its Retry-After header. */
  refusals: { load: number; retryAfter: string | null }[]
  /** Resident memory of the server process when ready, and its peak over its whole life (VmHWM). */
  readyRssBytes: number
  peakRssBytes: number
  ms: number
  /** Lines in the transactions table once the server has stopped, counted by opening its data dir. */
  storedLines: number
}

const adminKey = 'ts_0123456789ab_concurrent-loads-admin-key-0000000000'

/** One load's body, generated as it is sent: lines `${load}-${i}` for merchant `loads`, times with offset. */
function loadBody(load: number, lines: number): Readable {
  const perPiece = 5000
  return Readable.from(
    (function* () {
      for (let from = 0; from < lines; from += perPiece) {
        let text = ''
        for (let i = from; i < Math.min(lines, from + perPiece); i++) {
          text += `{"transaction_id":"${load}-${i}","merchant_id":"loads","store_id":"s${i % 10}","occurred_at":"2024-05-0${1 + (i % 9)}T${String(i % 24).padStart(2, '0')}:00:00Z","product_id":"p${i % 200}","product_name":"Product ${i % 200}","category":"coffee","quantity":${1 + (i % 3)},"unit_price":3.5,"currency":"USD","customer_id":"c${i % 5000}"}\n`
        }
        yield Buffer.from(text)
      }
    })(),
    { objectMode: false },
  )
}

function rssOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]
  if (!kb) throw new Error(`no ${field} in /proc/${pid}/status`)
  return Number(kb) * 1024
}

/**
 * Starts the real server (its own process, embedded engine, a fresh DATA_DIR) and sends `loads` NDJSON
 * batches to it at once, each from its own streamed request. A load answered 503 waits what Retry-After says
 * and sends the same batch again under the same Idempotency-Key, as a client should. Answers every ledger,
 * every refusal, and the server's resident memory when ready and at its peak (Linux /proc).
 */
export async function runConcurrentLoads(options: ConcurrentLoadsOptions): Promise<ConcurrentLoadsResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-loads-'))
  const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: os.tmpdir(),
      DATA_DIR: dataDir,
      DEMO: '0',
      WEB: '0',
      PORT: '0',
      LOG_LEVEL: 'silent',
      ADMIN_API_KEY: adminKey,
      ...options.serverEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return
    server.kill('SIGTERM')
    await new Promise((resolve) => server.once('exit', resolve))
  }
  try {
    let out = ''
    const api = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        out += chunk.toString()
        const url = /API: (http:\/\/\S+\/api\/v1)/.exec(out)?.[1]
        if (url && out.includes('sign in with')) resolve(url)
      }
      server.stdout.on('data', onData)
      server.stderr.on('data', onData)
      server.once('exit', () => reject(new Error(`the server stopped: ${out}`)))
    })
    const pid = server.pid ?? 0
    const readyRssBytes = rssOf(pid, 'VmRSS')
    const refusals: ConcurrentLoadsResult['refusals'] = []
    const started = performance.now()
    const load = async (n: number): Promise<BatchLedger> => {
      for (;;) {
        const response = await fetch(`${api}/ingest/transactions`, {
          method: 'POST',
          body: Readable.toWeb(loadBody(n, options.linesPerLoad)) as ReadableStream,
          duplex: 'half',
          headers: {
            authorization: `Bearer ${adminKey}`,
            'content-type': 'application/x-ndjson',
            'idempotency-key': `load-${n}`,
          },
        } as RequestInit)
        const text = await response.text()
        if (response.status === 503) {
          const retryAfter = response.headers.get('retry-after')
          refusals.push({ load: n, retryAfter })
          await sleep(Number(retryAfter ?? 1) * 1000)
          continue
        }
        if (!response.ok) throw new Error(`load ${n}: ${response.status} ${text}`)
        return BatchLedger.parse(JSON.parse(text))
      }
    }
    const ledgers = await Promise.all(Array.from({ length: options.loads }, (_, n) => load(n)))
    const ms = performance.now() - started
    const peakRssBytes = rssOf(pid, 'VmHWM')
    await stop()
    const db = await createDb({ mode: 'embedded', dataDir })
    try {
      const result = await db.client.query({
        query: `SELECT count() AS n FROM transactions WHERE merchant_id = 'loads'`,
        format: 'JSONEachRow',
      })
      const storedLines = (await result.json<{ n: number }>())[0]?.n ?? 0
      return { ledgers, refusals, readyRssBytes, peakRssBytes, ms, storedLines }
    } finally {
      await db.close()
    }
  } finally {
    await stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}
