import { createHash } from 'node:crypto'
import type { Db } from '../../server/db/createDb.ts'
import { addDays } from '../../server/queries/insightsScope.ts'
import { insertLines, type LineInput } from './insightsFixture.ts'

/**
 * A small, deterministic world for the segment tests: merchant `alpha` (store a1 in Hong Kong, HKD; a2 in
 * New York, USD), `beta` (b1 in Hong Kong) and `gamma` (c1 in Paris, EUR). 60 known customers with
 * different homes, visit counts, recency, spend, categories, products, wallets and payment methods, plus
 * refunded and anonymous lines that must not count, and daily HKD->USD and EUR->USD rates that change
 * every day. Customer keys are 32 hex digits, like real pseudonyms.
 */
export const fixtureAsOf = '2026-06-30'

export const customerKey = (i: number) =>
  createHash('sha256').update(`customer-${i}`).digest('hex').slice(0, 32)
export const customerCount = 60

const homes = ['CN', 'US', 'HK', '', 'FR'] as const
const categories = ['Coffee', 'Tea', 'Food'] as const
const payments: [string, string][] = [
  ['card', ''],
  ['qr', 'alipay'],
  ['nfc', 'apple_pay'],
  ['cash', ''],
  ['qr', 'wechat_pay'],
]

interface StoreSpec {
  merchant: string
  store: string
  country: string
  currency: string
  timezone: string
  /** Hours the store's wall clock is ahead of UTC in June. */
  offset: number
}

export const fixtureStores: StoreSpec[] = [
  { merchant: 'alpha', store: 'a1', country: 'HK', currency: 'HKD', timezone: 'Asia/Hong_Kong', offset: 8 },
  {
    merchant: 'alpha',
    store: 'a2',
    country: 'US',
    currency: 'USD',
    timezone: 'America/New_York',
    offset: -4,
  },
  { merchant: 'beta', store: 'b1', country: 'HK', currency: 'HKD', timezone: 'Asia/Hong_Kong', offset: 8 },
  { merchant: 'gamma', store: 'c1', country: 'FR', currency: 'EUR', timezone: 'Europe/Paris', offset: 2 },
]

/** The UTC instant of a store-local wall clock time. */
function utcOf(local: string, offset: number): string {
  const instant = new Date(`${local.replace(' ', 'T')}Z`).getTime() - offset * 3_600_000
  return new Date(instant).toISOString().slice(0, 19).replace('T', ' ')
}

/** HKD->USD and EUR->USD for day d (days before asOf): a different rate every day. */
export const fxRate = (currency: 'HKD' | 'EUR', d: number) =>
  currency === 'HKD' ? (0.12 + (d % 10) / 1000).toFixed(4) : (1.05 + (d % 7) / 100).toFixed(4)

export function fixtureLines(): LineInput[] {
  const lines: LineInput[] = []
  for (let i = 0; i < customerCount; i++) {
    const visits = (i % 4) + 1 + (i % 11 === 0 ? 5 : 0)
    for (let v = 0; v < visits; v++) {
      // Days before asOf: spread over 0..149, so some customers are lapsed, some recent.
      const daysBack = (i * 5 + v * 17) % 150
      const day = addDays(fixtureAsOf, -daysBack)
      const store = fixtureStores[i % 3 === 2 ? 1 : v % 2 === 0 ? 0 : i % 5 === 0 ? 2 : 0] as StoreSpec
      const [payment, wallet] = payments[(i + v) % payments.length] as [string, string]
      const local = `${day} ${String(9 + ((i + v) % 12)).padStart(2, '0')}:15:00`
      const base: LineInput = {
        merchant: store.merchant,
        store: store.store,
        tx: `t${i}-${v}`,
        at: utcOf(local, store.offset),
        local,
        product: `p${(i + v) % 5}`,
        category: categories[(i + v) % 3] as string,
        qty: '1',
        amount: String(5 + ((i * 7 + v * 13) % 50)),
        currency: store.currency,
        customer: customerKey(i),
        // Customer 59 moved: older lines say US, the latest says CN.
        home: i === 59 ? (v === visits - 1 ? 'CN' : 'US') : homes[i % homes.length],
        storeCountry: store.country,
        payment,
        wallet,
      }
      lines.push(base)
      // A second line in the basket for some, and a big refunded line that must never count.
      if ((i + v) % 3 === 0) lines.push({ ...base, line: 2, product: 'p9', category: 'Snacks', amount: '3' })
      if (i % 7 === 0 && v === 0)
        lines.push({ ...base, line: 3, product: 'p8', amount: '900', status: 'refunded' })
    }
    // Heavy spenders: customers 0, 10, 20 spend big at alpha's New York store this month.
    if (i % 10 === 0 && i < 30)
      lines.push({
        merchant: 'alpha',
        store: 'a2',
        tx: `big${i}`,
        at: utcOf(`${addDays(fixtureAsOf, -3)} 12:00:00`, -4),
        local: `${addDays(fixtureAsOf, -3)} 12:00:00`,
        product: 'p4',
        category: 'Food',
        qty: '1',
        amount: String(400 + i),
        currency: 'USD',
        customer: customerKey(i),
        home: homes[i % homes.length],
        storeCountry: 'US',
      })
    // Customers 0-9 also shop at gamma (outside a marketer of alpha and beta).
    if (i < 10)
      lines.push({
        merchant: 'gamma',
        store: 'c1',
        tx: `g${i}`,
        at: utcOf(`${addDays(fixtureAsOf, -i)} 10:00:00`, 2),
        local: `${addDays(fixtureAsOf, -i)} 10:00:00`,
        product: 'croissant',
        category: 'Bakery',
        qty: '1',
        amount: '4',
        currency: 'EUR',
        customer: customerKey(i),
        home: 'FR',
        storeCountry: 'FR',
      })
  }
  // Anonymous lines (no customer) count for nobody.
  for (let n = 0; n < 5; n++)
    lines.push({
      merchant: 'alpha',
      store: 'a1',
      tx: `anon${n}`,
      at: utcOf(`${addDays(fixtureAsOf, -n)} 13:00:00`, 8),
      local: `${addDays(fixtureAsOf, -n)} 13:00:00`,
      product: 'p1',
      category: 'Tea',
      qty: '1',
      amount: '10',
      currency: 'HKD',
      storeCountry: 'HK',
    })
  return lines
}

/** Merchants, stores, 200 days of FX rates and the fixture's lines. */
export async function insertSegmentsFixture(db: Db): Promise<void> {
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: [
      { merchant_id: 'alpha', name: 'Alpha', currency: 'HKD', timezone: 'Asia/Hong_Kong' },
      { merchant_id: 'beta', name: 'Beta', currency: 'HKD', timezone: 'Asia/Hong_Kong' },
      { merchant_id: 'gamma', name: 'Gamma', currency: 'EUR', timezone: 'Europe/Paris' },
    ],
  })
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: fixtureStores.map((s) => ({
      merchant_id: s.merchant,
      store_id: s.store,
      name: s.store,
      lat: 0,
      lon: 0,
      timezone: s.timezone,
      country: s.country,
      city: '',
      currency: s.currency,
    })),
  })
  const rates = Array.from({ length: 200 }, (_, d) => [
    { date: addDays(fixtureAsOf, 2 - d), base: 'HKD', quote: 'USD', rate: fxRate('HKD', d), batch_id: 'fx' },
    { date: addDays(fixtureAsOf, 2 - d), base: 'EUR', quote: 'USD', rate: fxRate('EUR', d), batch_id: 'fx' },
  ]).flat()
  await db.client.insert({ table: 'fx_rates', format: 'JSONEachRow', values: rates })
  await insertLines(db, fixtureLines())
}
