/**
 * Benchmark of the insights routes at scale (not a test): generates N transaction lines inside the engine
 * (several merchants, one large one holding a third), then times every insights route for a one-year
 * range of the large merchant: p50/p95 over repeated HTTP calls, beside the same SQL run bare on the
 * engine (same statements, same concurrency), and the ratio.
 *
 *   npm run bench -- queries --lines 10000000 [--repeat 30] [--data-dir /tmp/x] [--keep]
 */
import fs from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client'
import { Command } from 'commander'
import { pino } from 'pino'
import { createApp } from '../../server/app.ts'
import { createKey } from '../../server/auth/apiKeys.ts'
import { createDb, type Db } from '../../server/db/createDb.ts'
import { derivedTables, rollupTables } from '../../server/db/derivedTables.ts'
import { migrate } from '../../server/db/migrate.ts'

const largeMerchant = 'bench_large'
const otherMerchants = 8
const year = { from: '2025-01-01', to: '2025-12-31' }
const chunkLines = 5_000_000

interface Recorded {
  query: string
  params: Record<string, unknown>
  settings: ClickHouseSettings
  start: number
  end: number
}

/** A client that records every query a request sends, so the same statements can be replayed bare. */
function recordingDb(db: Db, log: Recorded[]): Db {
  const client = new Proxy(db.client, {
    get(target, prop, receiver) {
      if (prop !== 'query') {
        const value: unknown = Reflect.get(target, prop, receiver)
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      }
      return async (params: Parameters<ClickHouseClient['query']>[0]) => {
        const entry: Recorded = {
          query: params.query,
          params: (params.query_params ?? {}) as Record<string, unknown>,
          settings: params.clickhouse_settings ?? {},
          start: performance.now(),
          end: 0,
        }
        const result = await target.query(params)
        entry.end = performance.now()
        log.push(entry)
        return result
      }
    },
  })
  return { ...db, client }
}

/** Replays recorded statements with the request's concurrency: overlapping ones run together. */
async function replayBare(db: Db, statements: Recorded[]): Promise<number> {
  const sorted = [...statements].sort((a, b) => a.start - b.start)
  const groups: Recorded[][] = []
  let groupEnd = -Infinity
  for (const s of sorted) {
    if (s.start >= groupEnd || groups.length === 0) groups.push([s])
    else groups.at(-1)?.push(s)
    groupEnd = Math.max(s.start >= groupEnd ? s.end : groupEnd, s.end)
  }
  const started = performance.now()
  for (const group of groups) {
    await Promise.all(
      group.map(async (s) => {
        const result = await db.client.query({
          query: s.query,
          query_params: s.params,
          clickhouse_settings: s.settings,
          format: 'JSONEachRow',
        })
        await result.text()
      }),
    )
  }
  return performance.now() - started
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

async function generate(db: Db, lines: number, say: (m: string) => void): Promise<void> {
  const [existing] = await (
    await db.client.query({ query: 'SELECT count() AS n FROM transactions', format: 'JSONEachRow' })
  ).json<{ n: number }>()
  if (existing?.n === lines) {
    say(`reusing ${lines.toLocaleString()} generated lines`)
    return
  }
  for (const table of [
    'transactions',
    ...derivedTables,
    'stores',
    'merchants',
    'weather_observations',
    'fx_rates',
  ])
    await db.client.command({ query: `TRUNCATE TABLE ${table}` })

  const merchants = [largeMerchant, ...Array.from({ length: otherMerchants }, (_, i) => `bench_m${i + 1}`)]
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: merchants.map((m) => ({
      merchant_id: m,
      name: m,
      currency: 'USD',
      timezone: 'America/New_York',
    })),
  })
  // 20 stores per merchant around Manhattan, all on New York time.
  await db.client.command({
    query: `
      INSERT INTO stores (merchant_id, store_id, name, lat, lon, timezone, country, city, currency)
      SELECT m, concat('s', toString(s)), concat(m, ' ', toString(s)), 40.70 + s * 0.005, -74.01 + s * 0.004,
             'America/New_York', 'US', 'New York', 'USD'
      FROM (SELECT arrayJoin({merchants:Array(String)}) AS m) AS ms CROSS JOIN (SELECT number AS s FROM numbers(20)) AS ss`,
    query_params: { merchants },
  })
  await db.client.command({
    query: `
      INSERT INTO weather_observations (station_id, lat, lon, observed_at, temperature_c, precipitation_mm, snowfall_cm, condition, batch_id)
      SELECT 'central_park', 40.7789, -73.9692, toDateTime('2024-12-01 00:00:00', 'UTC') + number * 3600,
             round(12 - 12 * cos(2 * pi() * (number / 8760 - 0.05)) + (cityHash64(number) % 80) / 10 - 4, 1),
             if(cityHash64(number, 1) % 10 = 0, (cityHash64(number, 2) % 50) / 10, 0),
             if(cityHash64(number, 1) % 10 = 0 AND number % 8760 < 1500, (cityHash64(number, 3) % 20) / 10, 0),
             '', 'bench'
      FROM numbers(24 * 400)`,
  })

  // Line n belongs to basket n / 2; a third of the baskets (one in three) go to the large merchant.
  // Customers are drawn from 2M people; person c has customer number c + 1 at every merchant (an injective
  // map from key to number, computed in SQL instead of looked up: generation stays a single pass). The
  // numbers are recorded in customer_numbers afterwards, so a later ingest continues after the highest.
  // The large merchant sees almost every person (numbers 99% dense); the others leave gaps, which
  // roaring bitmaps do not mind.
  const started = performance.now()
  for (let offset = 0; offset < lines; offset += chunkLines) {
    const count = Math.min(chunkLines, lines - offset)
    await db.client.command({
      query: `
        INSERT INTO transactions (merchant_id, store_id, transaction_id, line_no, occurred_at, local_at, product_id,
          product_name, category, product_type, quantity, unit_price, amount, currency, status, payment_method,
          customer_key, customer_no, customer_home_country, store_country, batch_id)
        SELECT
          if(basket % 3 = 0, {large:String}, concat('bench_m', toString(1 + (intDiv(basket, 3) % {others:UInt32})))) AS merchant_id,
          concat('s', toString(cityHash64(basket, 1) % 20)) AS store_id,
          toString(basket) AS transaction_id,
          toUInt32(number % 2 + 1) AS line_no,
          toDateTime64(toDateTime('2025-01-01 11:00:00', 'UTC') + (cityHash64(basket, 2) % 365) * 86400
                       + (cityHash64(basket, 3) % (15 * 3600)), 3, 'UTC') AS occurred_at,
          toDateTime(formatDateTime(occurred_at, '%Y-%m-%d %H:%i:%S', 'America/New_York'), 'UTC') AS local_at,
          concat('p', toString(cityHash64(number, 4) % 80)) AS product_id,
          concat('Product ', product_id) AS product_name,
          concat('cat', toString(cityHash64(number, 4) % 80 % 9)) AS category,
          '' AS product_type,
          toDecimal64(1 + cityHash64(number, 5) % 3, 3) AS quantity,
          toDecimal64((250 + cityHash64(number, 4) % 80 * 5) / 100, 4) AS unit_price,
          quantity * unit_price AS amount,
          'USD' AS currency,
          multiIf(cityHash64(number, 6) % 100 < 2, 'refunded', cityHash64(number, 6) % 100 < 3, 'voided', 'completed') AS status,
          'card' AS payment_method,
          if(cityHash64(basket, 7) % 10 < 6, lower(hex(cityHash64(person))), '') AS customer_key,
          if(customer_key = '', 0, toUInt32(person + 1)) AS customer_no,
          if(customer_key = '', '', ['US','US','US','US','US','FR','DE','JP','CN','GB','IT','ES'][1 + cityHash64(customer_key) % 12]) AS customer_home_country,
          'US' AS store_country,
          'bench' AS batch_id
        FROM (SELECT number + {offset:UInt64} AS number, intDiv(number + {offset:UInt64}, 2) AS basket,
                     cityHash64(basket, 8) % 2000000 AS person FROM numbers({count:UInt64}))`,
      query_params: { large: largeMerchant, others: otherMerchants, offset, count },
      clickhouse_settings: { max_insert_threads: '2' },
    })
    say(
      `generated ${(offset + count).toLocaleString()} lines (${Math.round((performance.now() - started) / 1000)} s)`,
    )
  }
  await db.client.command({
    query: `
      INSERT INTO customer_numbers (merchant_id, customer_key, customer_no)
      SELECT merchant_id, customer_key, min(customer_no) FROM transactions
      WHERE customer_no != 0 GROUP BY merchant_id, customer_key`,
  })
  say(`recorded the customer numbers (${Math.round((performance.now() - started) / 1000)} s)`)
  for (const rollup of rollupTables) await db.client.command({ query: `OPTIMIZE TABLE ${rollup} FINAL` })
  say(`merged the rollup (${Math.round((performance.now() - started) / 1000)} s in all)`)
}

const routes = [
  'summary',
  'sales/by-product',
  'sales/by-time?grain=day',
  'sales/by-time?grain=hour_of_day&split=day_of_week',
  'sales/by-time?grain=day&tz=Europe/London',
  'sales/by-weather?by=condition',
  'sales/by-weather?by=temperature',
  'customers/origins',
]

export async function runQueriesBench(argv: string[]): Promise<void> {
  const options = new Command('queries')
    .description('time every insights route for a one-year range of the large merchant')
    .option('--lines <n>', 'transaction lines to generate', (v) => Number(v), 10_000_000)
    .option('--repeat <n>', 'timed calls per route', (v) => Number(v), 30)
    .option(
      '--data-dir <dir>',
      'where the bench engine keeps its data',
      path.join(os.tmpdir(), 'tillsight-bench-queries'),
    )
    .option('--keep', 'keep the generated data for the next run', false)
    .parse(argv, { from: 'user' })
    .opts<{ lines: number; repeat: number; dataDir: string; keep: boolean }>()
  const say = (m: string) => console.log(`bench queries: ${m}`)

  const db = await createDb({ mode: 'embedded', dataDir: options.dataDir })
  try {
    await migrate(db)
    await generate(db, options.lines, say)
    const [sizes] = await (
      await db.client.query({
        query: `SELECT (SELECT count() FROM transactions) AS lines,
                       (SELECT count() FROM transactions WHERE merchant_id = {m:String}) AS large,
                       (SELECT count() FROM sales_hourly_exact) AS productHourlyRows,
                       (SELECT count() FROM sales_product_daily_exact) AS productDailyRows,
                       (SELECT count() FROM sales_store_hourly_exact) AS storeHourlyRows,
                       (SELECT count() FROM customers_daily_bitmap) AS customerDailyRows,
                       (SELECT count() FROM customers_monthly_bitmap) AS customerMonthlyRows,
                       (SELECT count() FROM customer_numbers WHERE merchant_id = {m:String}) AS largeCustomers`,
        query_params: { m: largeMerchant },
        format: 'JSONEachRow',
      })
    ).json<Record<string, number>>()
    say(`rows: ${JSON.stringify(sizes)}`)

    const log: Recorded[] = []
    const app = createApp({
      db: recordingDb(db, log),
      logger: pino({ level: 'silent' }),
      limits: { ratePerMinute: 1_000_000, jsonBytes: 1_048_576, ingestBytes: 1 << 30, rangeDays: 1100 },
      pseudonymKey: 'bench-pseudonym-key-0123456789',
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const { key } = await createKey(db, { role: 'admin', name: 'bench' })

    const table: string[] = [
      `| route (one year, ${largeMerchant}, ${sizes?.large?.toLocaleString()} of ${sizes?.lines?.toLocaleString()} lines) | HTTP p50 ms | HTTP p95 ms | bare p50 ms | bare p95 ms | ratio p50 | ratio p95 |`,
      '|---|---:|---:|---:|---:|---:|---:|',
    ]
    for (const route of routes) {
      const url = `${base}/api/v1/merchants/${largeMerchant}/${route}${route.includes('?') ? '&' : '?'}from=${year.from}&to=${year.to}`
      const http: number[] = []
      const bare: number[] = []
      for (let i = -2; i < options.repeat; i++) {
        log.length = 0
        const started = performance.now()
        const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } })
        const body = await response.text()
        const elapsed = performance.now() - started
        if (response.status !== 200) throw new Error(`${route} answered ${response.status}: ${body}`)
        const bareMs = await replayBare(db, log.splice(0))
        if (i >= 0) {
          http.push(elapsed)
          bare.push(bareMs)
        }
      }
      const [h50, h95, b50, b95] = [
        percentile(http, 50),
        percentile(http, 95),
        percentile(bare, 50),
        percentile(bare, 95),
      ]
      const line = `| ${route} | ${[h50, h95, b50, b95].map((v) => v.toFixed(1)).join(' | ')} | ${(h50 / b50).toFixed(2)} | ${(h95 / b95).toFixed(2)} |`
      table.push(line)
      say(line)
    }
    await new Promise<void>((resolve) => server.close(() => resolve()))
    console.log(`\n${table.join('\n')}\n`)
  } finally {
    await db.close()
    if (!options.keep) fs.rmSync(options.dataDir, { recursive: true, force: true })
  }
}
