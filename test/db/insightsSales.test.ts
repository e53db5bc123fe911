import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveInsightsScope } from '../../server/queries/insightsScope.ts'
import { salesByProduct } from '../../server/queries/salesByProduct.ts'
import { salesByTime } from '../../server/queries/salesByTime.ts'
import { pickSalesSource, type SalesSource } from '../../server/queries/salesSource.ts'
import { summary } from '../../server/queries/summary.ts'
import { insertLines } from '../support/insightsFixture.ts'
import { startTestApp, type TestApp } from '../support/testApp.ts'
import { createTestDb } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let admin: string

const nyStore = (store_id: string, lat: number, lon: number) => ({
  merchant_id: 'cafe',
  store_id,
  name: store_id,
  lat,
  lon,
  timezone: 'America/New_York',
  country: 'US',
  city: 'New York',
  currency: 'USD',
})

beforeAll(async () => {
  db = await createTestDb()
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: [
      nyStore('s1', 40.7128, -74.006),
      nyStore('s2', 40.758, -73.9855),
      { ...nyStore('p1', 48.85, 2.35), merchant_id: 'shop', timezone: 'Europe/Paris', country: 'FR' },
    ],
  })
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: [
      { merchant_id: 'cafe', name: 'Cafe', currency: 'USD', timezone: 'America/New_York' },
      { merchant_id: 'shop', name: 'Shop', currency: 'EUR', timezone: 'Europe/Paris' },
    ],
  })
  // Week of 4 March 2024 (EST, UTC-5) up to the spring-forward day, 10 March (02:00 -> 03:00).
  await insertLines(db, [
    {
      store: 's1',
      tx: 't1',
      at: '2024-03-04 13:15:00',
      local: '2024-03-04 08:15:00',
      product: 'latte',
      qty: '2',
      amount: '7.00',
      customer: 'c1',
      home: 'US',
    },
    {
      store: 's1',
      tx: 't1',
      line: 2,
      at: '2024-03-04 13:15:00',
      local: '2024-03-04 08:15:00',
      product: 'muffin',
      category: 'Food',
      qty: '1',
      amount: '3.25',
      customer: 'c1',
      home: 'US',
    },
    {
      store: 's1',
      tx: 't2',
      at: '2024-03-04 13:40:00',
      local: '2024-03-04 08:40:00',
      product: 'latte',
      qty: '1',
      amount: '3.50',
      customer: 'c2',
      home: 'FR',
    },
    {
      store: 's2',
      tx: 't3',
      at: '2024-03-04 20:05:00',
      local: '2024-03-04 15:05:00',
      product: 'mocha',
      qty: '1',
      amount: '4.10',
      customer: 'c1',
      home: 'US',
    },
    {
      store: 's1',
      tx: 't4',
      at: '2024-03-04 14:00:00',
      local: '2024-03-04 09:00:00',
      product: 'latte',
      qty: '5',
      amount: '17.50',
      status: 'refunded',
    },
    {
      store: 's1',
      tx: 't5',
      at: '2024-03-05 14:00:00',
      local: '2024-03-05 09:00:00',
      product: 'mocha',
      qty: '1',
      amount: '4.10',
      status: 'voided',
    },
    {
      store: 's1',
      tx: 't6',
      at: '2024-03-10 07:30:00',
      local: '2024-03-10 03:30:00',
      product: 'latte',
      qty: '1',
      amount: '3.50',
    },
    {
      store: 's1',
      tx: 't7',
      at: '2024-03-10 06:30:00',
      local: '2024-03-10 01:30:00',
      product: 'mocha',
      qty: '1',
      amount: '4.10',
    },
    // A year earlier, for compare=previous_year.
    {
      store: 's1',
      tx: 'y1',
      at: '2023-03-06 13:00:00',
      local: '2023-03-06 08:00:00',
      product: 'latte',
      qty: '1',
      amount: '3.50',
      customer: 'c3',
      home: 'US',
    },
    // Fall back, 3 November 2024: 01:30 happens twice (EDT then EST).
    {
      store: 's1',
      tx: 'f1',
      at: '2024-11-03 05:30:00',
      local: '2024-11-03 01:30:00',
      product: 'latte',
      qty: '1',
      amount: '3.50',
    },
    {
      store: 's1',
      tx: 'f2',
      at: '2024-11-03 06:30:00',
      local: '2024-11-03 01:30:00',
      product: 'mocha',
      qty: '1',
      amount: '4.10',
    },
    {
      merchant: 'shop',
      store: 'p1',
      tx: 'p1',
      at: '2024-03-04 10:00:00',
      local: '2024-03-04 11:00:00',
      product: 'croissant',
      qty: '3',
      amount: '4.50',
      currency: 'EUR',
      storeCountry: 'FR',
    },
  ])
  app = await startTestApp(db)
  admin = await app.key({ role: 'admin' })
})
afterAll(async () => {
  await app.close()
  await db.cleanup()
})

const week = 'from=2024-03-04&to=2024-03-10'
const get = (path: string, key = admin, headers: Record<string, string> = {}) =>
  app.call(`/api/v1/merchants/${path}`, { key, headers })

describe('summary', () => {
  it('sums completed lines only, with exact money, customers and tourist share', async () => {
    const res = await get(`cafe/summary?${week}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      merchantId: 'cafe',
      from: '2024-03-04',
      to: '2024-03-10',
      timezone: 'America/New_York',
      currency: 'USD',
      rows: [
        {
          revenue: 25.45,
          transactions: 5,
          items: 7,
          averageTicket: 5.09,
          customers: 2,
          touristShare: 0.1961,
        },
      ],
    })
  })

  it('defaults to the 30 local days ending on the newest sale', async () => {
    const res = await get('cafe/summary')
    expect(res.body).toMatchObject({
      from: '2024-10-05',
      to: '2024-11-03',
      rows: [
        { revenue: 7.6, transactions: 2, items: 2, averageTicket: 3.8, customers: 0, touristShare: null },
      ],
    })
  })

  it('compares with the previous year and reports relative changes', async () => {
    const res = await get(`cafe/summary?${week}&compare=previous_year`)
    expect(res.body).toMatchObject({
      comparison: {
        compare: 'previous_year',
        from: '2023-03-04',
        to: '2023-03-10',
        rows: [
          { revenue: 3.5, transactions: 1, items: 1, averageTicket: 3.5, customers: 1, touristShare: 0 },
        ],
      },
      changes: {
        revenue: 6.2714,
        transactions: 4,
        items: 6,
        averageTicket: 0.4543,
        customers: 1,
        touristShare: null,
      },
    })
  })

  it('compares with the previous period of the same length', async () => {
    const res = await get('cafe/summary?from=2024-03-11&to=2024-03-17&compare=previous_period')
    expect(res.body).toMatchObject({
      rows: [{ revenue: 0, transactions: 0 }],
      comparison: { from: '2024-03-04', to: '2024-03-10', rows: [{ revenue: 25.45, transactions: 5 }] },
      changes: { revenue: -1, transactions: -1 },
    })
  })

  it('filters by store, category and product', async () => {
    expect((await get(`cafe/summary?${week}&store=s2`)).body).toMatchObject({
      rows: [{ revenue: 4.1, transactions: 1, customers: 1 }],
    })
    expect((await get(`cafe/summary?${week}&category=Food`)).body).toMatchObject({
      rows: [{ revenue: 3.25, transactions: 1, items: 1 }],
    })
    expect((await get(`cafe/summary?${week}&product=latte&product=muffin`)).body).toMatchObject({
      rows: [{ revenue: 17.25, transactions: 3, items: 5 }],
    })
  })
})

describe('sales by product', () => {
  it('ranks products by revenue with quantity and transactions', async () => {
    const res = await get(`cafe/sales/by-product?${week}`)
    expect(res.body).toMatchObject({
      rows: [
        {
          productId: 'latte',
          product: 'latte',
          category: 'Coffee',
          quantity: 4,
          revenue: 14,
          transactions: 3,
        },
        {
          productId: 'mocha',
          product: 'mocha',
          category: 'Coffee',
          quantity: 2,
          revenue: 8.2,
          transactions: 2,
        },
        {
          productId: 'muffin',
          product: 'muffin',
          category: 'Food',
          quantity: 1,
          revenue: 3.25,
          transactions: 1,
        },
      ],
    })
    expect((await get(`cafe/sales/by-product?${week}&limit=1`)).body).toMatchObject({
      rows: [{ productId: 'latte' }],
    })
  })

  it('answers CSV with the row field names as header, by format or by Accept', async () => {
    const csv = [
      'productId,product,category,quantity,revenue,transactions',
      'latte,latte,Coffee,4,14,3',
      'mocha,mocha,Coffee,2,8.2,2',
      'muffin,muffin,Food,1,3.25,1',
      '',
    ].join('\r\n')
    const byFormat = await get(`cafe/sales/by-product?${week}&format=csv`)
    expect(byFormat.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(byFormat.body).toBe(csv)
    expect((await get(`cafe/sales/by-product?${week}`, admin, { accept: 'text/csv' })).body).toBe(csv)
  })
})

describe('sales by time', () => {
  it('buckets by local day, week and month', async () => {
    expect((await get(`cafe/sales/by-time?${week}&grain=day`)).body).toMatchObject({
      grain: 'day',
      rows: [
        { bucket: '2024-03-04', quantity: 5, revenue: 17.85, transactions: 3 },
        { bucket: '2024-03-10', quantity: 2, revenue: 7.6, transactions: 2 },
      ],
    })
    // 10 March is a Sunday: the ISO week starting Monday 4 March holds the whole range.
    expect((await get('cafe/sales/by-time?from=2024-03-01&to=2024-03-11&grain=week')).body).toMatchObject({
      rows: [{ bucket: '2024-03-04', quantity: 7, revenue: 25.45, transactions: 5 }],
    })
    expect((await get(`cafe/sales/by-time?${week}&grain=month`)).body).toMatchObject({
      rows: [{ bucket: '2024-03-01', quantity: 7, revenue: 25.45, transactions: 5 }],
    })
  })

  it('skips the missing hour of spring forward and merges the repeated hour of fall back', async () => {
    expect((await get('cafe/sales/by-time?from=2024-03-10&to=2024-03-10&grain=hour')).body).toMatchObject({
      rows: [
        { bucket: '2024-03-10T01:00', revenue: 4.1, transactions: 1 },
        { bucket: '2024-03-10T03:00', revenue: 3.5, transactions: 1 },
      ],
    })
    expect((await get('cafe/sales/by-time?from=2024-11-03&to=2024-11-03&grain=hour')).body).toMatchObject({
      rows: [{ bucket: '2024-11-03T01:00', quantity: 2, revenue: 7.6, transactions: 2 }],
    })
    expect(
      (await get('cafe/sales/by-time?from=2024-11-03&to=2024-11-03&grain=hour&tz=UTC')).body,
    ).toMatchObject({
      timezone: 'UTC',
      rows: [
        { bucket: '2024-11-03T05:00', revenue: 3.5 },
        { bucket: '2024-11-03T06:00', revenue: 4.1 },
      ],
    })
  })

  it('answers hour of day and day of week in local time, and the weekday x hour heatmap', async () => {
    expect((await get(`cafe/sales/by-time?${week}&grain=hour_of_day`)).body).toMatchObject({
      rows: [
        { bucket: 1, revenue: 4.1, transactions: 1 },
        { bucket: 3, revenue: 3.5, transactions: 1 },
        { bucket: 8, quantity: 4, revenue: 13.75, transactions: 2 },
        { bucket: 15, revenue: 4.1, transactions: 1 },
      ],
    })
    expect((await get(`cafe/sales/by-time?${week}&grain=day_of_week`)).body).toMatchObject({
      rows: [
        { bucket: 1, revenue: 17.85, transactions: 3 },
        { bucket: 7, revenue: 7.6, transactions: 2 },
      ],
    })
    const heatmap = await get(`cafe/sales/by-time?${week}&grain=hour_of_day&split=day_of_week`)
    expect((heatmap.body as { rows: unknown[] }).rows).toEqual([
      { bucket: 8, dayOfWeek: 1, quantity: 4, revenue: 13.75, transactions: 2 },
      { bucket: 15, dayOfWeek: 1, quantity: 1, revenue: 4.1, transactions: 1 },
      { bucket: 1, dayOfWeek: 7, quantity: 1, revenue: 4.1, transactions: 1 },
      { bucket: 3, dayOfWeek: 7, quantity: 1, revenue: 3.5, transactions: 1 },
    ])
  })

  it('answers the heatmap as CSV with the weekday column', async () => {
    const res = await get(`cafe/sales/by-time?${week}&grain=hour_of_day&split=day_of_week&format=csv`)
    expect(res.body).toBe(
      'bucket,dayOfWeek,quantity,revenue,transactions\r\n8,1,4,13.75,2\r\n15,1,1,4.1,1\r\n1,7,1,4.1,1\r\n3,7,1,3.5,1\r\n',
    )
    expect((await get(`cafe/sales/by-time?${week}&grain=month&format=csv`)).body).toBe(
      'bucket,quantity,revenue,transactions\r\n2024-03-01,7,25.45,5\r\n',
    )
  })

  it('re-buckets and re-bounds dates in an overriding zone, including half-hour zones', async () => {
    expect((await get(`cafe/sales/by-time?${week}&grain=hour_of_day&tz=UTC`)).body).toMatchObject({
      timezone: 'UTC',
      rows: [
        { bucket: 6, revenue: 4.1 },
        { bucket: 7, revenue: 3.5 },
        { bucket: 13, revenue: 13.75, transactions: 2 },
        { bucket: 20, revenue: 4.1 },
      ],
    })
    // 13:15 and 13:40 UTC fall in different Kolkata hours (18:45 and 19:10): only raw lines can tell.
    expect((await get(`cafe/sales/by-time?${week}&grain=hour_of_day&tz=Asia/Kolkata`)).body).toMatchObject({
      rows: [
        { bucket: 1, revenue: 4.1 },
        { bucket: 12, revenue: 4.1 },
        { bucket: 13, revenue: 3.5 },
        { bucket: 18, revenue: 10.25, quantity: 3, transactions: 1 },
        { bucket: 19, revenue: 3.5, transactions: 1 },
      ],
    })
    // 20:05 UTC on 4 March is already 5 March in Tokyo.
    expect((await get('cafe/sales/by-time?from=2024-03-04&to=2024-03-04&tz=Asia/Tokyo')).body).toMatchObject({
      rows: [{ bucket: '2024-03-04', revenue: 13.75, transactions: 2 }],
    })
  })
})

describe('store clocks (tz=local)', () => {
  it('puts every store of a chain across zones on its own wall clock', async () => {
    await db.client.insert({
      table: 'stores',
      format: 'JSONEachRow',
      values: [
        { ...nyStore('c-ny', 40.75, -73.99), merchant_id: 'chain' },
        { ...nyStore('c-par', 48.85, 2.35), merchant_id: 'chain', timezone: 'Europe/Paris', country: 'FR' },
      ],
    })
    await db.client.insert({
      table: 'merchants',
      format: 'JSONEachRow',
      values: [{ merchant_id: 'chain', name: 'Chain', currency: 'USD', timezone: 'America/New_York' }],
    })
    // Both sales at 08:xx on the store's own clock: 13:10Z in New York, 07:30Z in Paris (02:30 in New York).
    await insertLines(db, [
      {
        merchant: 'chain',
        store: 'c-ny',
        tx: 'n1',
        at: '2024-03-05 13:10:00',
        local: '2024-03-05 08:10:00',
        product: 'latte',
        qty: '1',
        amount: '4.00',
      },
      {
        merchant: 'chain',
        store: 'c-par',
        tx: 'p1',
        at: '2024-03-05 07:30:00',
        local: '2024-03-05 08:30:00',
        product: 'latte',
        qty: '1',
        amount: '5.00',
      },
    ])
    const day = 'from=2024-03-05&to=2024-03-05&grain=hour_of_day'
    expect((await get(`chain/sales/by-time?${day}`)).body).toMatchObject({
      timezone: 'America/New_York',
      rows: [
        { bucket: 2, revenue: 5 },
        { bucket: 8, revenue: 4 },
      ],
    })
    expect((await get(`chain/sales/by-time?${day}&tz=local`)).body).toMatchObject({
      timezone: 'local',
      rows: [{ bucket: 8, revenue: 9, transactions: 2 }],
    })
    expect((await get('chain/summary?tz=local')).body).toMatchObject({
      from: '2024-02-05',
      to: '2024-03-05',
      timezone: 'local',
      rows: [{ revenue: 9, transactions: 2 }],
    })
  })
})

describe('access and errors', () => {
  const routes = ['summary', 'sales/by-product', 'sales/by-time', 'sales/by-weather', 'customers/origins']

  it('lets a merchant key see its merchant and answers 404 for another, on every route', async () => {
    const cafeKey = await app.key({ role: 'merchant', merchantId: 'cafe' })
    const shopKey = await app.key({ role: 'merchant', merchantId: 'shop' })
    for (const route of routes) {
      expect((await get(`cafe/${route}?${week}`, cafeKey)).status).toBe(200)
      const denied = await get(`cafe/${route}?${week}`, shopKey)
      expect(denied).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
      expect(JSON.stringify(denied.body)).not.toContain('25.45')
    }
  })

  it('gives a marketer the aggregates of its merchants only, and refuses wallet keys', async () => {
    const marketer = await app.key({ role: 'marketer', merchantIds: ['cafe'] })
    const wallet = await app.key({ role: 'wallet' })
    for (const route of routes) {
      expect((await get(`cafe/${route}?${week}`, marketer)).status).toBe(200)
      expect((await get(`shop/${route}?${week}`, marketer)).status).toBe(404)
      expect((await get(`cafe/${route}?${week}`, wallet)).status).toBe(403)
    }
    expect((await get(`cafe/summary?${week}`, marketer)).body).toMatchObject({ rows: [{ revenue: 25.45 }] })
  })

  it('answers 404 for an unknown merchant', async () => {
    expect((await get('nobody/summary')).status).toBe(404)
  })

  it.each([
    ['summary?from=2024-02-30', 'from'],
    ['summary?from=yesterday', 'from'],
    ['sales/by-time?grain=minute', 'grain'],
    ['sales/by-weather?by=wind', 'by'],
    ['summary?from=2024-03-10&to=2024-03-04', 'from'],
    ['summary?from=2020-01-01&to=2024-01-01', 'to'],
    ['summary?store=nope', 'store'],
    ['summary?tz=Mars/Base', 'tz'],
    ['summary?currency=usd', 'currency'],
    ['summary?compare=last_week', 'compare'],
    ['sales/by-product?limit=0', 'limit'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const res = await get(`cafe/${query}`)
    expect(res.status).toBe(400)
    expect((res.body as { error: { message: string } }).error.message).toMatch(new RegExp(`^${field}: `))
  })
})

describe('rollup', () => {
  const scopeFor = (from: string, to: string, tz?: string) =>
    resolveInsightsScope(db, 'cafe', { from, to, ...(tz && { tz }) }, { rangeDays: 1100 })

  /** Every question from every source that can answer it: raw lines, product rollup, store rollup. */
  async function allSources(from: string, to: string, tz?: string) {
    const scope = await scopeFor(from, to, tz)
    const answers = async (source: SalesSource) => ({
      summary: await summary(db, scope, { source }),
      hours: await salesByTime(db, scope, { grain: 'hour', source }),
      heatmap: await salesByTime(db, scope, { grain: 'hour_of_day', split: 'day_of_week', source }),
    })
    const products = async (source: SalesSource) => salesByProduct(db, scope, { limit: 100, source })
    const raw = await answers('raw')
    expect(await answers('storeRollup')).toEqual(raw)
    // The daily store rollup answers totals in any zone, and days or coarser in the stores' own.
    expect(await summary(db, scope, { source: 'storeDailyRollup' })).toEqual(raw.summary)
    if (scope.clock === 'local')
      for (const grain of ['day', 'week', 'month', 'day_of_week'] as const)
        expect(await salesByTime(db, scope, { grain, source: 'storeDailyRollup' })).toEqual(
          await salesByTime(db, scope, { grain, source: 'raw' }),
        )
    const rawProducts = await products('raw')
    if (scope.clock === 'local') expect(await products('productDailyRollup')).toEqual(rawProducts)
    return { ...raw, products: rawProducts }
  }

  it('answers exactly what the raw lines answer, also after late baskets and refunds', async () => {
    const before = await allSources('2024-03-01', '2024-03-31')
    expect(before.summary).toMatchObject({ revenue: 25.45, transactions: 5 })

    // Late data: an old basket arrives after newer ones, another basket lands in an hour and products the
    // rollups already hold, and refunded and voided lines arrive for existing baskets.
    await insertLines(db, [
      {
        store: 's2',
        tx: 'late',
        at: '2024-03-02 17:00:00',
        local: '2024-03-02 12:00:00',
        product: 'latte',
        qty: '1',
        amount: '3.50',
      },
      {
        store: 's1',
        tx: 'late2',
        at: '2024-03-04 13:50:00',
        local: '2024-03-04 08:50:00',
        product: 'mocha',
        qty: '1',
        amount: '4.10',
      },
      {
        store: 's1',
        tx: 'late2',
        line: 2,
        at: '2024-03-04 13:50:00',
        local: '2024-03-04 08:50:00',
        product: 'muffin',
        category: 'Food',
        qty: '2',
        amount: '3.25',
      },
      {
        store: 's1',
        tx: 't2',
        line: 2,
        at: '2024-03-04 13:40:00',
        local: '2024-03-04 08:40:00',
        product: 'latte',
        qty: '1',
        amount: '3.50',
        status: 'refunded',
      },
    ])
    await insertLines(db, [
      {
        store: 's1',
        tx: 't6',
        line: 2,
        at: '2024-03-10 07:30:00',
        local: '2024-03-10 03:30:00',
        product: 'muffin',
        category: 'Food',
        qty: '1',
        amount: '3.25',
        status: 'voided',
      },
    ])
    const after = await allSources('2024-03-01', '2024-03-31')
    expect(after.summary).toMatchObject({ revenue: 36.3, transactions: 7, items: 11 })
    expect(after.products[1]).toMatchObject({
      productId: 'mocha',
      quantity: 3,
      revenue: 12.3,
      transactions: 3,
    })

    for (const table of ['sales_store_hourly', 'sales_store_daily', 'sales_product_daily', 'product_names'])
      await db.client.command({ query: `OPTIMIZE TABLE ${table} FINAL` })
    const merged = await allSources('2024-03-01', '2024-03-31', 'Europe/London')
    expect(merged.summary).toMatchObject({ revenue: 36.3, transactions: 7 })
  })

  it('counts a basket once when its lines arrive in separate inserts', async () => {
    const before = await allSources('2024-03-01', '2024-03-31')
    // Parts stay apart until the OPTIMIZE below, so the first answers come from unmerged rows whatever
    // the background merges would do.
    const rollups = ['sales_store_hourly', 'sales_store_daily', 'sales_product_daily', 'product_names']
    for (const table of rollups) await db.client.command({ query: `SYSTEM STOP MERGES ${table}` })
    // One basket of three completed lines (two of them the same product), each line its own insert (as
    // ingestion chunks or a merchant's separate batches do), then a late refunded line of the same basket.
    const split = { store: 's2', tx: 'split', at: '2024-03-05 15:20:00', local: '2024-03-05 10:20:00' }
    await insertLines(db, [{ ...split, product: 'mocha', qty: '1', amount: '4.10' }])
    await insertLines(db, [{ ...split, line: 2, product: 'mocha', qty: '1', amount: '4.10' }])
    await insertLines(db, [
      { ...split, line: 3, product: 'muffin', category: 'Food', qty: '1', amount: '3.25' },
    ])
    await insertLines(db, [
      { ...split, line: 4, product: 'latte', qty: '1', amount: '3.50', status: 'refunded' },
    ])
    const after = await allSources('2024-03-01', '2024-03-31')
    expect(after.summary.transactions).toBe(before.summary.transactions + 1)
    expect(after.summary.revenue).toBeCloseTo(before.summary.revenue + 11.45, 2)
    const txOf = (rows: typeof after.products, id: string) =>
      rows.find((r) => r.productId === id)?.transactions
    expect(txOf(after.products, 'mocha')).toBe((txOf(before.products, 'mocha') ?? 0) + 1)
    expect(txOf(after.products, 'muffin')).toBe((txOf(before.products, 'muffin') ?? 0) + 1)
    expect(txOf(after.products, 'latte')).toBe(txOf(before.products, 'latte'))
    // Unmerged parts and merged rows answer alike.
    for (const table of rollups) {
      await db.client.command({ query: `SYSTEM START MERGES ${table}` })
      await db.client.command({ query: `OPTIMIZE TABLE ${table} FINAL` })
    }
    expect(await allSources('2024-03-01', '2024-03-31')).toEqual(after)
  })

  it('picks the raw lines for half-hour zones and the rollup otherwise', async () => {
    const march = await scopeFor('2024-03-01', '2024-03-31')
    expect(pickSalesSource(march)).toBe('storeRollup')
    expect(pickSalesSource(march, { byProduct: true })).toBe('productDailyRollup')
    expect(pickSalesSource({ ...march, clock: 'zone' }, { byProduct: true })).toBe('raw')
    expect(pickSalesSource({ ...march, stores: ['s1'] }, { byProduct: true })).toBe('raw')
    expect(pickSalesSource({ ...march, categories: ['Food'] }, { byProduct: true })).toBe(
      'productDailyRollup',
    )
    expect(pickSalesSource({ ...march, products: ['mocha'] })).toBe('raw')
    expect(pickSalesSource({ ...march, products: ['mocha', 'latte'] })).toBe('raw')
    expect(pickSalesSource({ ...march, categories: ['Food'] })).toBe('raw')
    expect(pickSalesSource(await scopeFor('2024-03-01', '2024-03-31', 'Asia/Tokyo'))).toBe('storeRollup')
    expect(pickSalesSource(await scopeFor('2024-03-01', '2024-03-31', 'Asia/Kolkata'))).toBe('raw')
    // Totals and days from the daily store rollup; days in another zone from the hourly one.
    expect(pickSalesSource(march, { time: 'total' })).toBe('storeDailyRollup')
    expect(pickSalesSource(march, { time: 'day' })).toBe('storeDailyRollup')
    expect(pickSalesSource({ ...march, stores: ['s1'] }, { time: 'day' })).toBe('storeDailyRollup')
    const tokyo = await scopeFor('2024-03-01', '2024-03-31', 'Asia/Tokyo')
    expect(pickSalesSource(tokyo, { time: 'total' })).toBe('storeDailyRollup')
    expect(pickSalesSource(tokyo, { time: 'day' })).toBe('storeRollup')
    expect(pickSalesSource({ ...march, products: ['mocha'] }, { time: 'total' })).toBe('raw')
    expect(
      pickSalesSource(await scopeFor('2024-03-01', '2024-03-31', 'Asia/Kolkata'), { time: 'total' }),
    ).toBe('raw')
  })
})
