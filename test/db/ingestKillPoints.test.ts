import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createDb } from '../../server/db/createDb.ts'
import { derivedMismatches } from '../support/derivedConsistency.ts'
import type { KilledLoadArgs } from '../support/killedLoad.ts'
import { rows } from '../support/testDb.ts'

// Loading processes killed between every two statements of a batch (test/support/killedLoad.ts). The kill
// points are shared out between two data dirs loaded side by side (odd and even points), which halves the
// file's time; vitest starts it first and runs the rest of the suite beside it (vitest.config.ts). This
// file opens no engine of its own until the last loading process is gone (one engine per data dir).
const newDataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-kill-'))
const dataDirs: [string, string] = [newDataDir(), newDataDir()]
const range = { from: '2024-01-01', to: '2024-04-30' }
const linesPerBatch = 100
const stores = [
  {
    merchant_id: 'kill',
    store_id: 'ny',
    name: 'NY',
    lat: 40.7,
    lon: -74,
    timezone: 'America/New_York',
    country: 'US',
    city: 'New York',
    currency: 'USD',
  },
  {
    merchant_id: 'kill',
    store_id: 'tokyo',
    name: 'Tokyo',
    lat: 35.7,
    lon: 139.7,
    timezone: 'Asia/Tokyo',
    country: 'JP',
    city: 'Tokyo',
    currency: 'USD',
  },
]
// Instants near local and UTC month ends (New York is behind UTC, Tokyo ahead) and inside months.
const instants = [
  '2024-01-31T23:30:00Z',
  '2024-02-01T02:00:00Z',
  '2024-02-14T12:00:00Z',
  '2024-02-29T16:00:00Z',
  '2024-03-01T03:00:00Z',
  '2024-03-20T09:15:00Z',
]

/** Batch n: new baskets of two lines each; customers come back across batches. */
function writeBatch(dataDir: string, n: number): { file: string; batchId: string } {
  const text = Array.from({ length: linesPerBatch }, (_, i) =>
    JSON.stringify({
      transaction_id: `b${n}-t${Math.floor(i / 2)}`,
      line_no: (i % 2) + 1,
      merchant_id: 'kill',
      store_id: i % 3 === 0 ? 'tokyo' : 'ny',
      occurred_at: instants[(n + Math.floor(i / 2)) % instants.length],
      product_id: `p${i % 7}`,
      product_name: `Product ${i % 7}`,
      quantity: (i % 3) + 1,
      unit_price: 2.25,
      status: i % 17 === 0 ? 'refunded' : 'completed',
      customer_id: i % 5 === 0 ? undefined : `c${(i * 7 + n) % 90}`,
      customer_home_country: ['US', 'JP', 'FR', ''][i % 4],
    }),
  ).join('\n')
  const file = path.join(dataDir, `batch-${n}.ndjson`)
  fs.writeFileSync(file, text + '\n')
  return { file, batchId: `batch-${n}` }
}

function run(command: string[], env: Record<string, string> = {}) {
  return new Promise<{ signal: NodeJS.Signals | null; code: number | null; out: string; stdout: string }>(
    (resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', ...command], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      let stdout = ''
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        stdout += d.toString()
      })
      child.stderr.on('data', (d: Buffer) => (out += d.toString()))
      child.once('exit', (code, signal) => resolve({ code, signal, out, stdout }))
    },
  )
}

afterAll(() => {
  for (const dataDir of dataDirs) fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('a load killed between any two statements', () => {
  it('leaves derived state that start-up repairs to exactly what the lines say', async () => {
    const args = (dataDir: string, next: KilledLoadArgs['next'], killAfter: number): KilledLoadArgs => ({
      dataDir,
      merchantId: 'kill',
      stores,
      range,
      chunkBytes: 12 << 10,
      next,
      killAfter,
    })
    /** Kills batch n after its statement n, for n = first, first + 2, ... until a batch finishes. */
    async function killEveryOther(
      dataDir: string,
      first: number,
    ): Promise<{ killedAt: number; statements: number }> {
      let killedAt = 0
      for (let n = first; ; n += 2) {
        const next = writeBatch(dataDir, n)
        const child = await run(['test/support/killedLoad.ts', JSON.stringify(args(dataDir, next, n))])
        const [ready, finished] = child.stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
        // After each crash, start-up repairs: every rollup, report and number equals the lines stored.
        expect(ready, child.out).toMatchObject({ mismatches: [] })
        if (finished) {
          expect(child.code).toBe(0)
          return { killedAt, statements: Number(finished.statements) }
        }
        expect(child.signal, child.out).toBe('SIGKILL')
        killedAt = n
        if (n > 300) throw new Error('the batch never finished')
      }
    }
    const [odd, even] = await Promise.all([killEveryOther(dataDirs[0], 1), killEveryOther(dataDirs[1], 2)])
    // Both batches ran the same statements, and every one of them was a kill point in one dir or the other.
    expect(odd.statements).toBe(even.statements)
    expect(Math.max(odd.killedAt, even.killedAt)).toBe(odd.statements)
    expect(odd.statements).toBeGreaterThan(25)
    const [dataDir] = dataDirs
    const { killedAt } = odd

    // One more crash, right after the second chunk's insert (its months still marked), then the real
    // CLI: its start-up repairs, and it sends every batch again (each killed one part stored): the stored
    // lines count as duplicates, the rest go in.
    const last = writeBatch(dataDir, killedAt + 4)
    const crash = await run([
      'test/support/killedLoad.ts',
      JSON.stringify({ ...args(dataDir, last, 0), killAfterInsert: 2 }),
    ])
    expect(crash.signal, crash.out).toBe('SIGKILL')
    const files = fs
      .readdirSync(dataDir)
      .filter((f) => f.endsWith('.ndjson'))
      .map((f) => path.join(dataDir, f))
    const cli = await run(['pipelines/cli.ts', 'ingest', 'transactions', ...files, '--no-progress'], {
      DATA_DIR: dataDir,
      PSEUDONYM_KEY: 'killed-load-pseudonym-key',
    })
    expect(cli.code, cli.out).toBe(0)
    expect(cli.out).toMatch(/rebuilding the rollups of \d+ merchant-months an interrupted load left behind/)

    const db = await createDb({ mode: 'embedded', dataDir })
    try {
      expect(await derivedMismatches(db, 'kill', range)).toEqual([])
      expect(
        await rows(
          db,
          `SELECT count() AS lines, uniqExact(transaction_id, line_no) AS distinct FROM transactions`,
        ),
      ).toEqual([{ lines: files.length * linesPerBatch, distinct: files.length * linesPerBatch }])
    } finally {
      await db.close()
    }
  }, 1_800_000)
})
