import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import type { BatchLedger } from '../../server/contract.ts'
import { createDb } from '../../server/db/createDb.ts'

// The CLI as a user runs it, in its own process, on a data dir this file only opens at the very end.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-cli-'))
const dataDir = path.join(dir, 'data')
const env = { ...process.env, DATA_DIR: dataDir, PSEUDONYM_KEY: 'cli-test-pseudonym-key', DEMO: '0' }
const children: ChildProcess[] = []

function cli(
  args: string[],
  stdin?: Buffer,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'pipelines/cli.ts', ...args], { env })
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin.end(stdin)
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })))
}

/** The ledgers a run printed (pretty JSON objects one after another). */
function ledgers(stdout: string): BatchLedger[] {
  return stdout
    .split(/\n(?=\{)/)
    .filter((s) => s.trim().startsWith('{'))
    .map((s) => JSON.parse(s) as BatchLedger)
}

const header = 'transaction_id,merchant_id,store_id,occurred_at,product_id,quantity,unit_price'

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('npm run cli -- ingest', () => {
  it('loads files, globs and stdin into the stopped embedded store, and watches a drop folder', async () => {
    const stores = path.join(dir, 'stores.csv')
    fs.writeFileSync(
      stores,
      'merchant_id,store_id,name,lat,lon,timezone,country,city,currency\ncafe,s1,One,48.85,2.35,Europe/Paris,FR,Paris,EUR\n',
    )
    fs.mkdirSync(path.join(dir, 'in'))
    fs.writeFileSync(path.join(dir, 'in', 'a.csv'), `${header}\na1,cafe,s1,2024-03-31 02:30:00,latte,1,3\n`)
    fs.writeFileSync(
      path.join(dir, 'in', 'b.csv'),
      `${header}\nb1,cafe,s1,2024-04-01 09:00:00,latte,2,3\nb2,cafe,s1,never,latte,1,3\n`,
    )

    const loaded = await cli(['ingest', 'stores', stores, '--no-progress'])
    expect(loaded.code, loaded.stderr).toBe(0)
    expect(ledgers(loaded.stdout)).toMatchObject([{ kind: 'stores', received: 1, inserted: 1 }])

    const globbed = await cli(['ingest', 'transactions', path.join(dir, 'in', '*.csv'), '--no-progress'])
    expect(globbed.code, globbed.stderr).toBe(0)
    expect(
      ledgers(globbed.stdout).map((l) => [path.basename(l.source), l.received, l.inserted, l.rejected]),
    ).toEqual([
      ['a.csv', 1, 1, 0],
      ['b.csv', 2, 1, 1],
    ])

    const ndjson = JSON.stringify({
      transaction_id: 'c1',
      merchant_id: 'cafe',
      store_id: 's1',
      occurred_at: '2024-04-02T10:00:00+02:00',
      product_id: 'mocha',
      quantity: 1,
      unit_price: 4,
    })
    const piped = await cli(
      ['ingest', 'transactions', '-', '--format', 'ndjson', '--no-progress'],
      gzipSync(ndjson + '\n'),
    )
    expect(piped.code, piped.stderr).toBe(0)
    expect(ledgers(piped.stdout)).toMatchObject([{ source: 'stdin', received: 1, inserted: 1 }])

    const drop = path.join(dir, 'drop')
    fs.mkdirSync(drop)
    const watcher = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'pipelines/cli.ts',
        'ingest',
        'transactions',
        '--watch',
        drop,
        '--interval',
        '200',
        '--no-progress',
      ],
      { env, stdio: 'ignore' },
    )
    children.push(watcher)
    fs.writeFileSync(path.join(drop, 'late.csv'), `${header}\nd1,cafe,s1,2024-04-03 08:00:00,latte,1,3\n`)
    fs.writeFileSync(path.join(drop, 'broken.ndjson'), '{"transaction_id": "x1", \n')
    const doneLedger = path.join(drop, 'done', 'late.csv.ledger.json')
    const failedLedger = path.join(drop, 'failed', 'broken.ndjson.ledger.json')
    for (let i = 0; i < 300 && !(fs.existsSync(doneLedger) && fs.existsSync(failedLedger)); i++)
      await sleep(100)
    watcher.kill('SIGTERM')
    await new Promise((resolve) => watcher.once('exit', resolve))
    expect(JSON.parse(fs.readFileSync(doneLedger, 'utf8'))).toMatchObject({
      received: 1,
      inserted: 1,
      status: 'done',
    })
    expect(fs.existsSync(path.join(drop, 'done', 'late.csv'))).toBe(true)
    expect(JSON.parse(fs.readFileSync(failedLedger, 'utf8'))).toMatchObject({ status: 'failed' })
    expect(fs.readdirSync(drop).sort()).toEqual(['done', 'failed'])

    const db = await createDb({ mode: 'embedded', dataDir })
    try {
      const result = await db.client.query({
        query: `SELECT transaction_id, toString(occurred_at) AS at, toString(local_at) AS local
                FROM transactions ORDER BY transaction_id`,
        format: 'JSONEachRow',
      })
      expect(await result.json()).toEqual([
        // 02:30 does not exist in Paris on 2024-03-31: read as 03:30 CEST.
        { transaction_id: 'a1', at: '2024-03-31 01:30:00.000', local: '2024-03-31 03:30:00' },
        { transaction_id: 'b1', at: '2024-04-01 07:00:00.000', local: '2024-04-01 09:00:00' },
        { transaction_id: 'c1', at: '2024-04-02 08:00:00.000', local: '2024-04-02 10:00:00' },
        { transaction_id: 'd1', at: '2024-04-03 06:00:00.000', local: '2024-04-03 08:00:00' },
      ])
    } finally {
      await db.close()
    }
  }, 120_000)

  it('sends a file again when a busy server answers 503, after its Retry-After', async () => {
    const key = 'ts_0123456789ab_cli-retry-admin-key-00000000000000000'
    const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: os.tmpdir(),
        DATA_DIR: path.join(dir, 'server-data'),
        DEMO: '0',
        WEB: '0',
        PORT: '0',
        LOG_LEVEL: 'silent',
        ADMIN_API_KEY: key,
        INGEST_CONCURRENCY: '1',
        INGEST_QUEUE_WAIT_MS: '0',
      },
    })
    children.push(server)
    let out = ''
    server.stdout.on('data', (d: Buffer) => (out += d.toString()))
    while (!out.includes('sign in with')) await sleep(100)
    const api = /API: (\S+)/.exec(out)?.[1] ?? ''
    const authorization = `Bearer ${key}`

    // A batch whose body stays open holds the only slot.
    const line =
      '{"transaction_id":"held","merchant_id":"cafe","store_id":"s1","occurred_at":"2024-05-01T10:00:00Z","product_id":"latte","quantity":1,"unit_price":3,"currency":"EUR"}\n'
    let finish: () => void = () => undefined
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(line))
        finish = () => controller.close()
      },
    })
    const holding = fetch(`${api}/ingest/transactions`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { authorization, 'content-type': 'application/x-ndjson' },
    } as RequestInit)
    const running = async () => {
      const batches = await fetch(`${api}/ingest/batches`, { headers: { authorization } })
      return ((await batches.json()) as { rows: BatchLedger[] }).rows.some((b) => b.status === 'running')
    }
    while (!(await running())) await sleep(100)

    const file = path.join(dir, 'busy.csv')
    fs.writeFileSync(
      file,
      `${header},currency\nr1,cafe,s1,2024-05-01T11:00:00Z,latte,1,3,EUR\nr2,cafe,s1,2024-05-01T12:00:00Z,latte,1,3,EUR\n`,
    )
    const sent = cli([
      'ingest',
      'transactions',
      file,
      '--server',
      api.replace(/\/api\/v1$/, ''),
      '--key',
      key,
      '--no-progress',
    ])
    const client = children.at(-1)
    let said = ''
    client?.stderr?.on('data', (d: Buffer) => (said += d.toString()))
    while (!said.includes('the server is busy; sending it again in 1 s')) await sleep(100)
    finish()
    expect((await holding).status).toBe(200)
    const result = await sent
    expect(result.code, result.stderr).toBe(0)
    expect(ledgers(result.stdout)).toMatchObject([{ source: file, received: 2, inserted: 2, status: 'done' }])
    server.kill('SIGTERM')
    await new Promise((resolve) => server.once('exit', resolve))
  }, 120_000)

  it("sends a file again after a proxy's 503 page, and says what a proxy answered that is not JSON", async () => {
    let requests = 0
    const proxy = http.createServer((request, response) => {
      request.resume()
      request.once('end', () => {
        requests++
        const busy = requests === 1
        response.writeHead(busy ? 503 : 502, { 'content-type': 'text/html', 'retry-after': '1' })
        response.end(
          `<html><body><h1>${busy ? '503 Service Unavailable' : '502 Bad Gateway'}</h1><p>nginx</p></body></html>`,
        )
      })
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    try {
      const file = path.join(dir, 'proxied.csv')
      fs.writeFileSync(file, `${header},currency\np1,cafe,s1,2024-05-01T11:00:00Z,latte,1,3,EUR\n`)
      const { port } = proxy.address() as AddressInfo
      const result = await cli([
        'ingest',
        'transactions',
        file,
        '--server',
        `http://127.0.0.1:${port}`,
        '--key',
        'ts_0123456789ab_cli-proxy-key-000000000000000000000',
        '--no-progress',
      ])
      expect(result.code).not.toBe(0)
      expect(result.stderr).toContain('proxied.csv: the server is busy; sending it again in 1 s')
      expect(result.stderr).toContain('HTTP 502: the server did not answer with JSON: 502 Bad Gateway nginx')
      expect(requests).toBe(2)
    } finally {
      await new Promise((resolve) => proxy.close(resolve))
    }
  }, 60_000)

  it('says clearly when the data dir is held by a running server', async () => {
    const server = await createDb({ mode: 'embedded', dataDir })
    try {
      const busy = await cli(['keys', 'list'])
      expect(busy.code).toBe(1)
      expect(busy.stderr.trim()).toBe(
        `tillsight: DATA_DIR ${dataDir} is in use by process ${process.pid}: stop it (or use its API with --server), or choose another DATA_DIR`,
      )
    } finally {
      await server.close()
    }
    const created = await cli([
      'keys',
      'create',
      '--role',
      'merchant',
      '--merchant',
      'cafe',
      '--name',
      'till',
    ])
    expect(created.code, created.stderr).toBe(0)
    const key = JSON.parse(created.stdout) as { keyId: string; key: string }
    expect(key).toMatchObject({ role: 'merchant', merchantIds: ['cafe'], name: 'till' })
    const revoked = await cli(['keys', 'revoke', key.keyId])
    expect(revoked.code, revoked.stderr).toBe(0)

    const db = await createDb({ mode: 'embedded', dataDir })
    try {
      const audit = await db.client.query({
        query: 'SELECT key_id, action, target, details FROM audit_log ORDER BY at',
        format: 'JSONEachRow',
      })
      expect(await audit.json()).toEqual([
        {
          key_id: 'cli',
          action: 'key.created',
          target: key.keyId,
          details: JSON.stringify({ role: 'merchant', merchantIds: ['cafe'], name: 'till' }),
        },
        { key_id: 'cli', action: 'key.revoked', target: key.keyId, details: '{}' },
      ])
    } finally {
      await db.close()
    }
  }, 60_000)
})

describe('npm run cli -- erase', () => {
  it('erases a customer from the stopped store by raw id and prints what it changed', async () => {
    const file = path.join(dir, 'customers.csv')
    fs.writeFileSync(
      file,
      `${header},customer_id\ne1,cafe,s1,2024-05-02 09:00:00,latte,1,3,zoe-1\ne2,cafe,s1,2024-05-02 10:00:00,latte,1,3,yan-2\n`,
    )
    const loaded = await cli(['ingest', 'transactions', file, '--no-progress'])
    expect(loaded.code, loaded.stderr).toBe(0)
    const erased = await cli(['erase', '--merchant', 'cafe', '--customer', 'zoe-1'])
    expect(erased.code, erased.stderr).toBe(0)
    expect(JSON.parse(erased.stdout)).toMatchObject({
      merchantId: 'cafe',
      linesAnonymised: 1,
      localMonths: 1,
    })
    const refused = await cli(['erase', '--merchant', 'Not A Merchant', '--customer', 'zoe-1'])
    expect(refused.code).not.toBe(0)

    const db = await createDb({ mode: 'embedded', dataDir })
    try {
      const lines = await db.client.query({
        query: `SELECT transaction_id, customer_key != '' AS known, customer_no != 0 AS numbered
                FROM transactions WHERE transaction_id IN ('e1', 'e2') ORDER BY transaction_id`,
        format: 'JSONEachRow',
      })
      expect(await lines.json()).toEqual([
        { transaction_id: 'e1', known: 0, numbered: 0 },
        { transaction_id: 'e2', known: 1, numbered: 1 },
      ])
    } finally {
      await db.close()
    }
  }, 90_000)
})
