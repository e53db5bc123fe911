/**
 * Benchmark of the wallet endpoint (not a test): 10,000 active offers over 10,000 stores in twenty cities
 * and time zones, 100,000 known customers with cap histories, then GET /api/v1/wallet/offers at a steady
 * rate from a load generator in its own process (steadyLoad.ts), timed from when each request was due;
 * then the same load against a bare Node server answering the same bytes (the machine's floor).
 *
 *   npm run bench -- wallet [--rate 1000] [--seconds 30] [--offers 10000] [--stores 10000] [--customers 100000]
 */
import { fork } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { pino } from 'pino'
import { createApp } from '../../server/app.ts'
import { createKey } from '../../server/auth/apiKeys.ts'
import type { Offer } from '../../server/contract.ts'
import { createDb, type Db } from '../../server/db/createDb.ts'
import { migrate } from '../../server/db/migrate.ts'
import { toOfferRow } from '../../server/queries/offerRecord.ts'
import { customerKey } from '../../server/wallet/customerKey.ts'
import { createWalletService } from '../../server/wallet/walletService.ts'
import { seededRandom } from './seededRandom.ts'
import type { SteadyLoadRequest, SteadyLoadResult } from './steadyLoad.ts'

const pseudonymKey = 'bench-pseudonym-key-0123456789'
const cities = [
  ['America/New_York', 40.75, -73.98],
  ['Europe/Paris', 48.86, 2.35],
  ['Asia/Hong_Kong', 22.3, 114.17],
  ['Asia/Tokyo', 35.68, 139.76],
  ['Europe/London', 51.51, -0.13],
  ['Australia/Sydney', -33.87, 151.21],
  ['America/Sao_Paulo', -23.55, -46.63],
  ['America/Los_Angeles', 34.05, -118.24],
  ['Asia/Dubai', 25.2, 55.27],
  ['Asia/Singapore', 1.29, 103.85],
  ['Europe/Berlin', 52.52, 13.4],
  ['America/Mexico_City', 19.43, -99.13],
  ['America/Toronto', 43.65, -79.38],
  ['Asia/Seoul', 37.57, 126.98],
  ['Asia/Kolkata', 19.08, 72.88],
  ['Asia/Bangkok', 13.76, 100.5],
  ['Europe/Istanbul', 41.01, 28.98],
  ['Europe/Madrid', 40.42, -3.7],
  ['America/Chicago', 41.88, -87.63],
  ['Africa/Johannesburg', -26.2, 28.05],
] as const

const metresToLat = (m: number) => m / 111_320

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN
}

async function generateWorld(db: Db, sizes: { offers: number; stores: number; customers: number }) {
  const rand = seededRandom(42)
  const storesPerMerchant = 10
  const stores = Array.from({ length: sizes.stores }, (_, i) => {
    const [timezone, lat, lon] = cities[i % cities.length] ?? cities[0]
    // Uniform over a disc of 15 km around the centre.
    const r = 15_000 * Math.sqrt(rand())
    const a = 2 * Math.PI * rand()
    const storeLat = lat + metresToLat(r * Math.cos(a))
    return {
      merchant_id: `m${String(Math.floor(i / storesPerMerchant)).padStart(4, '0')}`,
      store_id: `s${i}`,
      name: `Store ${i}`,
      lat: storeLat,
      lon: lon + metresToLat(r * Math.sin(a)) / Math.cos((storeLat * Math.PI) / 180),
      timezone,
      country: 'XX',
      city: timezone,
      currency: 'USD',
    }
  })
  await db.client.insert({ table: 'stores', format: 'JSONEachRow', values: stores })
  const now = new Date().toISOString()
  const offers: Offer[] = Array.from({ length: sizes.offers }, (_, i) => {
    const merchant = Math.floor(((i % sizes.stores) as number) / storesPerMerchant)
    const store = stores[i % sizes.stores]
    const everyStore = rand() < 0.2
    return {
      offerId: `off_${i.toString(16).padStart(16, '0')}`,
      merchantId: `m${String(merchant).padStart(4, '0')}`,
      name: `Offer ${i}`,
      text: `${5 + (i % 30)}% off today`,
      value: { kind: 'percent', amount: 5 + (i % 30) },
      stores: everyStore ? [] : [store?.store_id ?? 's0'],
      radiusM: 100 + Math.floor(rand() * 900),
      segmentId: null,
      schedule: {
        from: '2026-01-01',
        to: '2027-12-31',
        ...(rand() < 0.3 ? { hours: { from: '07:00', to: '23:00' } } : {}),
        ...(rand() < 0.1 ? { days: [1, 2, 3, 4, 5] } : {}),
      },
      cap: { count: 3, days: 1 },
      dailyBudget: rand() < 0.5 ? 100_000 : null,
      holdoutPercent: 10,
      attributionDays: 7,
      status: 'active',
      createdAt: now,
      updatedAt: now,
    }
  })
  await db.client.insert({ table: 'offers', format: 'JSONEachRow', values: offers.map(toOfferRow) })
  // Known customers: each has seen one offer today, so cap histories are in memory for all of them.
  const history = Array.from({ length: sizes.customers }, (_, c) => {
    const offer = offers[c % offers.length]
    return {
      merchant_id: offer?.merchantId ?? '',
      offer_id: offer?.offerId ?? '',
      event_id: `bench-${c}`,
      type: 'impression',
      customer_key: customerKey(pseudonymKey, `customer-${c}`),
      store_id: offer?.stores[0] ?? '',
      cell: '',
      local_date: now.slice(0, 10),
      at: now.replace('T', ' ').replace('Z', ''),
    }
  })
  await db.client.insert({ table: 'offer_events', format: 'JSONEachRow', values: history })
  return { stores, offers }
}

/** Runs the load generator in its own process and waits for its figures. */
function steadyLoad(request: SteadyLoadRequest): Promise<SteadyLoadResult> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'steadyLoad.ts')
  const child = fork(script, [], { execArgv: ['--import', 'tsx'] })
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as SteadyLoadResult))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`))
    })
    child.send(request)
  })
}

function summarise(name: string, r: SteadyLoadResult, rate: number, seconds: number): string {
  const sorted = [...r.latencies].sort((a, b) => a - b)
  const ok = r.statuses['200'] ?? 0
  const others = Object.entries(r.statuses)
    .filter(([s]) => s !== '200')
    .map(([s, n]) => `${s}:${n}`)
    .join(' ')
  return `| ${name} | ${rate}/s x ${seconds} s | ${(r.latencies.length / (r.elapsedMs / 1000)).toFixed(0)}/s | ${ok}${others ? ` (${others})` : ''} | ${r.nonEmpty} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 90).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${(sorted.at(-1) ?? NaN).toFixed(1)} |`
}

export async function runWalletBench(argv: string[]): Promise<void> {
  const options = new Command('wallet')
    .description('wallet offers at a steady rate vs a bare Node server answering the same bytes')
    .option('--rate <n>', 'requests per second', (v) => Number(v), 1000)
    .option('--seconds <n>', 'seconds of load', (v) => Number(v), 30)
    .option('--offers <n>', 'active offers', (v) => Number(v), 10_000)
    .option('--stores <n>', 'stores', (v) => Number(v), 10_000)
    .option('--customers <n>', 'known customers (with cap histories)', (v) => Number(v), 100_000)
    .option(
      '--data-dir <dir>',
      'where the bench engine keeps its data',
      path.join(os.tmpdir(), 'tillsight-bench-wallet'),
    )
    .parse(argv, { from: 'user' })
    .opts<{
      rate: number
      seconds: number
      offers: number
      stores: number
      customers: number
      dataDir: string
    }>()
  const say = (m: string) => console.log(`bench wallet: ${m}`)
  fs.rmSync(options.dataDir, { recursive: true, force: true })
  const db = await createDb({ mode: 'embedded', dataDir: options.dataDir })
  const wallet = createWalletService({
    db,
    pseudonymKey,
    journalDir: path.join(options.dataDir, 'wallet-journal'),
  })
  try {
    await migrate(db)
    const { stores } = await generateWorld(db, options)
    let started = performance.now()
    await wallet.start()
    say(
      `wallet index and counters loaded in ${Math.round(performance.now() - started)} ms: ${JSON.stringify(wallet.stats())}`,
    )
    const app = createApp({
      db,
      logger: pino({ level: 'silent' }),
      limits: {
        ratePerMinute: 1_000_000,
        jsonBytes: 1_048_576,
        ingestBytes: 1 << 30,
        rangeDays: 1100,
        walletRatePerSecond: options.rate * 2,
      },
      pseudonymKey,
      wallet,
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const { key } = await createKey(db, { role: 'wallet', name: 'bench' })

    // Positions within 600 m of a random store, customers drawn from the known ones (and 10% new).
    const rand = seededRandom(7)
    const total = options.rate * options.seconds
    const paths = Array.from({ length: total }, () => {
      const store = stores[Math.floor(rand() * stores.length)] ?? stores[0]
      const r = 600 * Math.sqrt(rand())
      const a = 2 * Math.PI * rand()
      const lat = (store?.lat ?? 0) + metresToLat(r * Math.cos(a))
      const lon = (store?.lon ?? 0) + metresToLat(r * Math.sin(a)) / Math.cos((lat * Math.PI) / 180)
      const c = Math.floor(rand() * options.customers * 1.1)
      return `/api/v1/wallet/offers?lat=${lat.toFixed(6)}&lon=${lon.toFixed(6)}&customer=customer-${c}&limit=3`
    })
    const headers = { authorization: `Bearer ${key}` }
    // Two untimed warm-up seconds, then the timed run.
    await steadyLoad({
      base,
      paths: paths.slice(0, options.rate * 2),
      headers,
      rate: options.rate,
      seconds: 2,
    })
    // The bare server answers the bytes of a typical answer: the first one that lists offers.
    let sample = ''
    for (const p of paths.slice(0, 50)) {
      sample = await (await fetch(base + p.replace('customer-', 'sample-'), { headers })).text()
      if (sample.includes('offerId')) break
    }
    say(`sample answer (${Buffer.byteLength(sample)} bytes): ${sample.slice(0, 160)}...`)
    // CPU cost of one answer in this process, without HTTP: sequential calls on fresh customers.
    const probes = 5000
    const cpuBefore = process.cpuUsage()
    started = performance.now()
    for (let i = 0; i < probes; i++) {
      const q = new URL(base + (paths[i] ?? '')).searchParams
      await wallet.serve({
        lat: Number(q.get('lat')),
        lon: Number(q.get('lon')),
        customer: `probe-${i}`,
        limit: 3,
        merchants: undefined,
      })
    }
    const serveUs = ((performance.now() - started) * 1000) / probes
    const cpu = process.cpuUsage(cpuBefore)
    const serveCpuUs = (cpu.user + cpu.system) / probes
    let cpuMark = process.cpuUsage()
    const walletRun = await steadyLoad({ base, paths, headers, rate: options.rate, seconds: options.seconds })
    const walletCpu = process.cpuUsage(cpuMark)
    const loadAfterWallet = os.loadavg()
    await new Promise<void>((resolve) => server.close(() => resolve()))

    // The floor: a bare node:http server answering the same bytes for every request.
    const bare = http.createServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(sample),
      })
      res.end(sample)
    })
    bare.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => bare.once('listening', resolve))
    const bareBase = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`
    await steadyLoad({
      base: bareBase,
      paths: paths.slice(0, options.rate * 2),
      headers,
      rate: options.rate,
      seconds: 2,
    })
    cpuMark = process.cpuUsage()
    const bareRun = await steadyLoad({
      base: bareBase,
      paths,
      headers,
      rate: options.rate,
      seconds: options.seconds,
    })
    const bareCpu = process.cpuUsage(cpuMark)
    const perRequest = (cpu: NodeJS.CpuUsage, run: SteadyLoadResult) =>
      ((cpu.user + cpu.system) / Math.max(1, run.latencies.length)).toFixed(0)
    await new Promise<void>((resolve) => bare.close(() => resolve()))

    await wallet.flush()
    const [events] = await (
      await db.client.query({
        query: `SELECT countIf(type = 'impression') AS impressions, countIf(type = 'would_have_seen') AS heldOut FROM offer_events WHERE event_id NOT LIKE 'bench-%'`,
        format: 'JSONEachRow',
      })
    ).json<{ impressions: number; heldOut: number }>()
    console.log(
      [
        '',
        `${options.offers.toLocaleString()} offers over ${options.stores.toLocaleString()} stores in ${cities.length} zones, ${options.customers.toLocaleString()} known customers; limit=3`,
        '',
        '| server | load | achieved | 200 (other) | answers with offers | p50 ms | p90 ms | p99 ms | max ms |',
        '|---|---|---:|---:|---:|---:|---:|---:|---:|',
        summarise('tillsight wallet route', walletRun, options.rate, options.seconds),
        summarise('bare node:http, same bytes', bareRun, options.rate, options.seconds),
        '',
        `wallet.serve in process (no HTTP, ${probes} sequential calls incl. journal fsync): ${serveUs.toFixed(0)} µs per call, of which ${serveCpuUs.toFixed(0)} µs CPU (all threads)`,
        `server process CPU per request during the runs: wallet ${perRequest(walletCpu, walletRun)} µs, bare ${perRequest(bareCpu, bareRun)} µs`,
        `events journaled and flushed: ${events?.impressions} impressions, ${events?.heldOut} would-have-seen`,
        `load average after the wallet run: ${loadAfterWallet.map((l) => l.toFixed(2)).join(', ')}; now: ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(', ')} (${os.cpus().length} cores)`,
        `late sends by the generator: wallet ${walletRun.lateSends}, bare ${bareRun.lateSends} (latency is timed from the due time either way)`,
      ].join('\n'),
    )
  } finally {
    await wallet.close()
    await db.close()
    fs.rmSync(options.dataDir, { recursive: true, force: true })
  }
}
