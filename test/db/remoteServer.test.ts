import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseError,
} from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchLedger } from '../../server/contract.ts'
import { startClickHouseTestServer, type ClickHouseTestServer } from '../support/clickHouseTestServer.ts'

// CLICKHOUSE_URL end to end: the ClickHouse test server runs in a process and data dir of its own, and the
// server and CLI run as users run them, so nothing but HTTP passes between them and the engine.
const root = path.resolve(import.meta.dirname, '../..')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-remote-'))
const children: ChildProcess[] = []
let server: ClickHouseTestServer
let client: ClickHouseClient

beforeAll(async () => {
  server = await startClickHouseTestServer()
  client = createClient(connection())
})
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await client.close()
  await server.stop()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function failure(work: Promise<unknown>): Promise<ClickHouseError> {
  return work.then(
    () => {
      throw new Error('expected the server to answer an error')
    },
    (err: unknown) => err as ClickHouseError,
  )
}

describe('the ClickHouse test server', () => {
  it('binds parameters as the client formats them; settings and database last one request', async () => {
    const odd = `it's a\ttab, a\nnewline and a \\ backslash`
    const bound = await client.query({
      query: 'SELECT {s:String} AS s, {list:Array(String)} AS list, {n:UInt64} AS n',
      query_params: { s: odd, list: [odd, 'b'], n: 42 },
      format: 'JSONEachRow',
    })
    expect(await bound.json()).toEqual([{ s: odd, list: [odd, 'b'], n: 42 }])

    const threads = async (settings = {}) =>
      (
        await (
          await client.query({
            query: "SELECT getSetting('max_threads') AS t, currentDatabase() AS db",
            format: 'JSONEachRow',
            clickhouse_settings: settings,
          })
        ).json<{ t: number; db: string }>()
      )[0]
    const before = await threads()
    expect(await threads({ max_threads: 1 })).toEqual({ t: 1, db: 'default' })
    expect(await threads()).toEqual(before)

    await client.command({ query: 'CREATE DATABASE own' })
    const own = createClient({ ...connection(), database: 'own' })
    expect(
      await (await own.query({ query: 'SELECT currentDatabase() AS db', format: 'JSONEachRow' })).json(),
    ).toEqual([{ db: 'own' }])
    await own.close()
  })

  it("answers errors with ClickHouse's code, type, status and header, and refuses to read files", async () => {
    expect(await failure(client.query({ query: 'SELECT * FROM missing' }))).toMatchObject({
      code: '60',
      type: 'UNKNOWN_TABLE',
    })
    const raw = await fetch(`${server.url}/?query=${encodeURIComponent('SELEC 1')}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${server.user}:${server.password}`).toString('base64')}`,
      },
    })
    expect(raw.status).toBe(400)
    expect(raw.headers.get('x-clickhouse-exception-code')).toBe('62')
    expect(await raw.text()).toMatch(
      /^Code: 62\. DB::Exception: Syntax error: .*\(SYNTAX_ERROR\) \(version \S+\)\n$/s,
    )

    // What the embedded engine would run but an HTTP server refuses: several statements in one request.
    expect(await failure(client.command({ query: 'SELECT 1; SELECT 2' }))).toMatchObject({
      code: '62',
      type: 'SYNTAX_ERROR',
    })
    const quoted = await client.query({ query: "SELECT 'a;b' AS s -- c; d", format: 'JSONEachRow' })
    expect(await quoted.json()).toEqual([{ s: 'a;b' }])

    const stranger = createClient({ ...connection(), password: 'wrong' })
    expect(await failure(stranger.query({ query: 'SELECT 1' }))).toMatchObject({
      code: '516',
      type: 'AUTHENTICATION_FAILED',
    })
    expect(await stranger.ping()).toEqual({ success: true })
    await stranger.close()

    // A file of ours, readable by any local process: the server must not read it.
    const ours = path.join(dir, 'ours.csv')
    fs.writeFileSync(ours, 'a\n1\n')
    for (const query of [
      `SELECT * FROM file({path:String}, CSVWithNames)`,
      `INSERT INTO FUNCTION file({path:String}, CSV) SELECT 1`,
    ]) {
      expect(await failure(client.command({ query, query_params: { path: ours } }))).toMatchObject({
        code: '291',
        type: 'DATABASE_ACCESS_DENIED',
      })
    }
    expect(fs.existsSync(server.dataDir)).toBe(true)
  })

  it('takes INSERT data as the request body, compressed or not, and compresses answers when asked', async () => {
    await client.command({ query: 'CREATE TABLE sent (a String, n UInt32) ENGINE = MergeTree ORDER BY a' })
    const gzipped = createClient({ ...connection(), compression: { request: true, response: true } })
    await gzipped.insert({ table: 'sent', values: [{ a: 'gzip', n: 1 }], format: 'JSONEachRow' })
    await client.insert({ table: 'sent', values: [{ a: 'plain', n: 2 }], format: 'JSONEachRow' })
    await client.exec({
      query: 'INSERT INTO sent (n, a) FORMAT CSVWithNames',
      values: Readable.from(['n,a\n3,csv\n']),
    })
    const answer = await gzipped.query({ query: 'SELECT a, n FROM sent ORDER BY n', format: 'JSONEachRow' })
    expect(answer.response_headers['content-encoding']).toBe('gzip')
    expect(await answer.json()).toEqual([
      { a: 'gzip', n: 1 },
      { a: 'plain', n: 2 },
      { a: 'csv', n: 3 },
    ])
    await gzipped.close()
  })
})

describe('CLICKHOUSE_URL', () => {
  const dataDir = path.join(dir, 'data')
  const adminKey = 'remote-test-admin-key-0123456789'
  const env = () => ({
    PATH: process.env.PATH ?? '',
    HOME: os.tmpdir(),
    DATA_DIR: dataDir,
    CLICKHOUSE_URL: server.url,
    CLICKHOUSE_USER: server.user,
    CLICKHOUSE_PASSWORD: server.password,
    CLICKHOUSE_DATABASE: 'shop',
    ADMIN_API_KEY: adminKey,
    PSEUDONYM_KEY: 'remote-test-pseudonym-key',
    DEMO: '0',
    WEB: '0',
    PORT: '0',
    LOG_LEVEL: 'silent',
  })

  function run(args: string[], onOutput?: (out: string) => void) {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: env() })
    children.push(child)
    let out = ''
    let stdout = ''
    const collect = (chunk: Buffer) => {
      out += chunk.toString()
      onOutput?.(out)
    }
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      collect(chunk)
    })
    child.stderr.on('data', collect)
    const exited = new Promise<{ code: number | null; out: string; stdout: string }>((resolve) =>
      child.once('exit', (code) => resolve({ code, out, stdout })),
    )
    return { child, exited }
  }

  it('loads with the CLI and the server, and answers from the lines of both; nothing is spooled', async () => {
    const stores = path.join(dir, 'stores.csv')
    fs.writeFileSync(
      stores,
      'merchant_id,store_id,name,lat,lon,timezone,country,city,currency\ncafe,s1,One,48.85,2.35,Europe/Paris,FR,Paris,EUR\n',
    )
    const lines = path.join(dir, 'lines.csv.gz')
    fs.writeFileSync(
      lines,
      gzipSync(
        'transaction_id,merchant_id,store_id,occurred_at,product_id,quantity,unit_price,customer_id\n' +
          'c1,cafe,s1,2024-03-05 09:00:00,latte,2,3.50,ann\n' +
          'c2,cafe,s1,2024-03-05 10:00:00,latte,1,3.50,4111111111111111\n',
      ),
    )
    const cli = run(['pipelines/cli.ts', 'ingest', 'stores', stores, '--no-progress'])
    const loaded = await cli.exited
    expect(loaded.code, loaded.out).toBe(0)
    expect(JSON.parse(loaded.stdout)).toMatchObject({ received: 1, inserted: 1 })

    const transactions = run(['pipelines/cli.ts', 'ingest', 'transactions', lines, '--no-progress'])
    const second = await transactions.exited
    expect(second.code, second.out).toBe(0)
    const cliBatch = JSON.parse(second.stdout) as BatchLedger
    expect(cliBatch).toMatchObject({ received: 2, inserted: 1, rejected: 1 })

    let ready: (url: string) => void = () => undefined
    const listening = new Promise<string>((resolve) => (ready = resolve))
    const app = run(['server/main.ts'], (out) => {
      const url = /API: (http:\/\/\S+?)\/api\/v1/.exec(out)?.[1]
      if (url) ready(url)
    })
    const base = await Promise.race([
      listening,
      app.exited.then(({ out }) => {
        throw new Error(`the server stopped: ${out}`)
      }),
    ])
    const call = (pathname: string, init: RequestInit = {}) =>
      fetch(base + pathname, {
        ...init,
        headers: { authorization: `Bearer ${adminKey}`, ...(init.headers as Record<string, string>) },
      })
    expect(await (await call('/healthz')).json()).toEqual({ status: 'ok', mode: 'remote' })
    const pushed = await call('/api/v1/ingest/transactions', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': 'push-1' },
      body: '{"transaction_id":"h1","merchant_id":"cafe","store_id":"s1","occurred_at":"2024-03-06T08:00:00+01:00","product_id":"mocha","quantity":1,"unit_price":"4.25","customer_id":"ann"}\n',
    })
    expect(await pushed.json()).toMatchObject({ batchId: 'push-1', received: 1, inserted: 1, rejected: 0 })
    const summary = await call('/api/v1/merchants/cafe/summary?from=2024-03-04&to=2024-03-10')
    expect(await summary.json()).toMatchObject({
      currency: 'EUR',
      rows: [{ revenue: 11.25, transactions: 2, items: 3, customers: 1 }],
    })
    const rejects = await call(`/api/v1/ingest/batches/${cliBatch.batchId}/rejects`)
    const { rows } = (await rejects.json()) as { rows: { lineNo: number; reason: string; raw: string }[] }
    expect(rows.map((r) => [r.lineNo, r.reason])).toEqual([[3, 'card_number']])
    expect(rows[0]?.raw).not.toContain('4111')

    app.child.kill('SIGTERM')
    await app.exited
    expect(fs.existsSync(path.join(dataDir, 'spool'))).toBe(false)
  })
})

/** A client of the test server; its errors are asserted, not logged. */
function connection() {
  return {
    url: server.url,
    username: server.user,
    password: server.password,
    log: { level: ClickHouseLogLevel.OFF },
  }
}
