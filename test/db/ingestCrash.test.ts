import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import type { BatchLedger } from '../../server/contract.ts'
import { createDb } from '../../server/db/createDb.ts'
import { derivedMismatches } from '../support/derivedConsistency.ts'
import { testStore } from '../support/testDb.ts'

// The real server process, killed with SIGKILL in the middle of a streamed load. This file opens no
// engine of its own until the server is gone (one engine per data dir). In the remote suite the server
// uses a database on the ClickHouse test server, which goes on running what it was sent.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-crash-'))
const store = testStore(dataDir)
const adminKey = 'crash-test-admin-key-0123456789'
const lines = 100_000
const children: ChildProcess[] = []

function startServer(): Promise<{ child: ChildProcess; base: string }> {
  // node itself with tsx as a loader (not the tsx wrapper), so the signal reaches the server process.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      ...store.env,
      PORT: '0',
      DEMO: '0',
      WEB: '0',
      INGEST_CHUNK_BYTES: String(4 << 20),
      LOG_LEVEL: 'silent',
      ADMIN_API_KEY: adminKey,
      PSEUDONYM_KEY: 'crash-test-pseudonym-key',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString()
      const url = /(?:dashboard|API): (http:\/\/[^/\s]+)\//.exec(output)?.[1]
      if (url) resolve({ child, base: url })
    })
    child.stderr?.on('data', (data: Buffer) => (output += data.toString()))
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)))
  })
}

function line(i: number): string {
  return JSON.stringify({
    transaction_id: `t${Math.floor(i / 2)}`,
    line_no: (i % 2) + 1,
    merchant_id: 'crash',
    store_id: 's1',
    occurred_at: `2024-02-${String((i % 28) + 1).padStart(2, '0')} 12:${String(i % 60).padStart(2, '0')}:00`,
    product_id: `p${i % 50}`,
    product_name: 'A product with a reasonably long name to fill the chunk',
    quantity: 1,
    unit_price: 2.5,
    customer_id: `c${i % 1000}`,
  })
}

/** A request body that sends `upTo` lines, then waits for `release` before sending the rest. */
function slowBody(release: Promise<void>, upTo: number): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream({
    async pull(controller) {
      if (i === upTo) await release
      if (i >= lines) return controller.close()
      const end = Math.min(i + 2000, i < upTo ? upTo : lines)
      const text = Array.from({ length: end - i }, (_, k) => line(i + k)).join('\n') + '\n'
      i = end
      controller.enqueue(new TextEncoder().encode(text))
    },
  })
}

async function call(base: string, pathname: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers)
  headers.set('authorization', `Bearer ${adminKey}`)
  return fetch(base + pathname, { ...init, headers, duplex: 'half' } as RequestInit)
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('crash safety', () => {
  it('loses nothing and duplicates nothing when the server is killed mid-load and the batch is re-sent', async () => {
    const first = await startServer()
    const stores = await call(first.base, '/api/v1/ingest/stores', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'merchant_id,store_id,name,lat,lon,timezone,country,city,currency\ncrash,s1,One,40.7,-74,America/New_York,US,New York,USD\n',
    })
    expect(stores.status).toBe(200)

    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    const upload = call(first.base, '/api/v1/ingest/transactions', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': 'crash-1' },
      body: slowBody(held, 70_000),
    }).catch((err: unknown) => err)

    // Wait until at least one chunk is committed (the running ledger says so), then kill the server.
    let committed = 0
    for (let attempt = 0; attempt < 200 && committed === 0; attempt++) {
      await sleep(100)
      const batches = (await (await call(first.base, '/api/v1/ingest/batches')).json()) as {
        rows: BatchLedger[]
      }
      committed = batches.rows.find((b) => b.batchId === 'crash-1')?.received ?? 0
    }
    expect(committed).toBeGreaterThan(0)
    expect(committed).toBeLessThan(lines)
    first.child.kill('SIGKILL')
    await new Promise((resolve) => first.child.once('exit', resolve))
    release()
    expect(await upload).toBeInstanceOf(Error)

    const second = await startServer()
    const everything = Array.from({ length: lines }, (_, i) => line(i)).join('\n') + '\n'
    const resend = await call(second.base, '/api/v1/ingest/transactions', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': 'crash-1' },
      body: everything,
    })
    expect(resend.status).toBe(200)
    const ledger = (await resend.json()) as BatchLedger
    expect(ledger).toMatchObject({ status: 'done', received: lines, rejected: 0 })
    expect(ledger.duplicates).toBeGreaterThanOrEqual(committed)
    expect(ledger.inserted + ledger.duplicates).toBe(lines)

    second.child.kill('SIGTERM')
    await new Promise((resolve) => second.child.once('exit', resolve))
    const db = await createDb(store.options)
    try {
      const result = await db.client.query({
        query: `SELECT count() AS rows, uniqExact(transaction_id, line_no) AS distinctLines
                FROM transactions WHERE merchant_id = 'crash'`,
        format: 'JSONEachRow',
      })
      expect(await result.json()).toEqual([{ rows: lines, distinctLines: lines }])
      // The lines the killed server stored before its rollups saw them were rebuilt at the restart.
      expect(await derivedMismatches(db, 'crash', { from: '2024-02-01', to: '2024-02-29' })).toEqual([])
    } finally {
      await db.close()
    }
  }, 180_000)
})
