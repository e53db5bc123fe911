import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SegmentRules } from '../../server/contract.ts'
import { segmentCounts } from '../../server/queries/segmentPreview.ts'
import { resolveSegmentScope } from '../../server/queries/segmentScope.ts'
import { createSegmentMembership } from '../../server/segments/segmentMembership.ts'
import { writeSegmentVersion } from '../../server/queries/savedSegments.ts'
import { customerCount, customerKey, fixtureAsOf, insertSegmentsFixture } from '../support/segmentsFixture.ts'
import { createTestDb, rows } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
const limits = { rangeDays: 1100 }

beforeAll(async () => {
  db = await createTestDb()
  await insertSegmentsFixture(db)
})
afterAll(() => db.cleanup())

/**
 * Hand-written SQL over the raw lines: `lines` are the merchants' completed lines of known customers up
 * to asOf; each case selects the customer keys the rules describe, written independently of the builder
 * (set differences, self-joins, the raw fx_rates table).
 */
async function expectedKeys(merchants: string[], selectKeys: string): Promise<string[]> {
  const result = await rows<{ k: string }>(
    db,
    `WITH lines AS (
       SELECT * FROM transactions
       WHERE merchant_id IN {m:Array(String)} AND customer_key != '' AND status = 'completed'
         AND toDate(local_at) <= {asOf:Date})
     SELECT DISTINCT k FROM (SELECT customer_key AS k FROM (${selectKeys})) ORDER BY k`,
    { m: merchants, asOf: fixtureAsOf },
  )
  return result.map((r) => r.k)
}

async function exactSize(merchants: string[], rules: SegmentRules): Promise<number> {
  const scope = await resolveSegmentScope(db, merchants, rules, fixtureAsOf, limits)
  return (await segmentCounts(db, scope)).total
}

const everyone = `SELECT DISTINCT customer_key FROM lines`
const seenWithin = (days: number) =>
  `SELECT DISTINCT customer_key FROM lines WHERE toDate(local_at) > toDate({asOf:Date}) - ${days}`
/** Spend per customer in `currency` over the trailing days, converting at the raw table's day rate. */
const spendIn = (currency: string, days: number) => `
  SELECT l.customer_key AS customer_key,
         sum(toFloat64(l.amount) * multiIf(l.currency = '${currency}', 1,
             d.rate > 0, toFloat64(d.rate), 1 / toFloat64(i.rate))) AS s
  FROM lines AS l
  LEFT JOIN fx_rates AS d ON d.base = l.currency AND d.quote = '${currency}' AND d.date = toDate(l.occurred_at)
  LEFT JOIN fx_rates AS i ON i.base = '${currency}' AND i.quote = l.currency AND i.date = toDate(l.occurred_at)
  WHERE toDate(l.local_at) > toDate({asOf:Date}) - ${days}
  GROUP BY customer_key`
const spendBetween = (currency: string, days: number, min: number, max: number) => `
  SELECT c.customer_key FROM (${everyone}) AS c LEFT JOIN (${spendIn(currency, days)}) AS x USING customer_key
  WHERE ifNull(x.s, 0) BETWEEN ${min} AND ${max}`
const visitsOver = (days: number, n: number) => `
  SELECT customer_key FROM lines WHERE toDate(local_at) > toDate({asOf:Date}) - ${days}
  GROUP BY customer_key HAVING count(DISTINCT toDate(local_at)) > ${n}`
const topSpenders = (currency: string, days: number, percent: number) => `
  SELECT a.customer_key FROM (${spendIn(currency, days)}) AS a CROSS JOIN (${spendIn(currency, days)}) AS b
  WHERE a.s > 0 AND b.s > 0
  GROUP BY a.customer_key
  HAVING countIf(b.s > a.s) < ceil(count() * ${percent} / 100)`
const latestHomeIn = (countries: string) => `
  SELECT l.customer_key FROM lines AS l
  INNER JOIN (SELECT customer_key, max(local_at) AS latest FROM lines WHERE customer_home_country != ''
              GROUP BY customer_key) AS x ON x.customer_key = l.customer_key AND l.local_at = x.latest
  WHERE l.customer_home_country IN (${countries})`
const paidAbroad = `SELECT customer_key FROM lines
  WHERE customer_home_country != '' AND store_country != '' AND customer_home_country != store_country`
const paidAtHome = `SELECT customer_key FROM lines
  WHERE customer_home_country != '' AND customer_home_country = store_country`
const boughtAny = (column: string, values: string) =>
  `SELECT customer_key FROM lines WHERE ${column} IN (${values})`

const cases: { name: string; merchants?: string[]; rules: SegmentRules; sql: string }[] = [
  { name: 'no rules: every known customer', rules: {}, sql: everyone },
  {
    name: 'homeCountries (the latest home)',
    rules: { homeCountries: ['CN', 'FR'] },
    sql: latestHomeIn(`'CN', 'FR'`),
  },
  { name: 'visitor tourist', rules: { visitor: 'tourist' }, sql: `${paidAbroad} EXCEPT ${paidAtHome}` },
  { name: 'visitor local', rules: { visitor: 'local' }, sql: paidAtHome },
  { name: 'visitor any', rules: { visitor: 'any' }, sql: everyone },
  {
    name: 'spend min in USD over 30 days (HKD at each day’s rate)',
    rules: { spend: { min: 61.5, currency: 'USD', days: 30 } },
    sql: spendBetween('USD', 30, 61.5, 1e12),
  },
  {
    name: 'spend max includes customers who spent nothing in the window',
    rules: { spend: { max: 20.5, currency: 'USD', days: 30 } },
    sql: spendBetween('USD', 30, 0, 20.5),
  },
  {
    name: 'spend between, in HKD (USD lines at the inverse rate)',
    rules: { spend: { min: 100.5, max: 400.5, currency: 'HKD', days: 90 } },
    sql: spendBetween('HKD', 90, 100.5, 400.5),
  },
  {
    name: 'visits min over 60 days',
    rules: { visits: { min: 2, days: 60 } },
    sql: visitsOver(60, 1),
  },
  {
    name: 'visits max (0 visits included)',
    rules: { visits: { max: 1, days: 60 } },
    sql: `${everyone} EXCEPT ${visitsOver(60, 1)}`,
  },
  { name: 'lastSeenWithinDays', rules: { lastSeenWithinDays: 14 }, sql: seenWithin(14) },
  { name: 'notSeenForDays', rules: { notSeenForDays: 45 }, sql: `${everyone} EXCEPT ${seenWithin(45)}` },
  {
    name: 'categories',
    rules: { categories: ['Tea', 'Snacks'] },
    sql: boughtAny('category', `'Tea', 'Snacks'`),
  },
  { name: 'products', rules: { products: ['p1', 'p3'] }, sql: boughtAny('product_id', `'p1', 'p3'`) },
  { name: 'stores', rules: { stores: ['a2'] }, sql: boughtAny('store_id', `'a2'`) },
  { name: 'wallets', rules: { wallets: ['alipay'] }, sql: boughtAny('wallet', `'alipay'`) },
  {
    name: 'paymentMethods',
    rules: { paymentMethods: ['nfc', 'cash'] },
    sql: boughtAny('payment_method', `'nfc', 'cash'`),
  },
  {
    name: 'spendRank top 20% over 90 days (in the merchant’s HKD)',
    rules: { spendRank: { topPercent: 20, days: 90 } },
    sql: topSpenders('HKD', 90, 20),
  },
  {
    name: 'spendRank ranked in the spend rule’s currency',
    rules: { spendRank: { topPercent: 10, days: 30 }, spend: { currency: 'USD', days: 30 } },
    sql: topSpenders('USD', 30, 10),
  },
  {
    name: 'tourists from CN or US who spent over 20 USD',
    rules: {
      visitor: 'tourist',
      homeCountries: ['CN', 'US'],
      spend: { min: 20.5, currency: 'USD', days: 120 },
    },
    sql: `(${paidAbroad} EXCEPT ${paidAtHome}) INTERSECT ${latestHomeIn(`'CN', 'US'`)}
          INTERSECT ${spendBetween('USD', 120, 20.5, 1e12)}`,
  },
  {
    name: 'lapsed regulars: 3+ visits in 150 days, none in the last 20',
    rules: { visits: { min: 3, days: 150 }, notSeenForDays: 20 },
    sql: `${visitsOver(150, 2)} EXCEPT ${seenWithin(20)}`,
  },
  {
    name: 'top spenders who paid by wallet in a category',
    rules: {
      spendRank: { topPercent: 50, days: 150 },
      wallets: ['apple_pay', 'wechat_pay'],
      categories: ['Food'],
    },
    sql: `${topSpenders('HKD', 150, 50)} INTERSECT ${boughtAny('wallet', `'apple_pay', 'wechat_pay'`)}
          INTERSECT ${boughtAny('category', `'Food'`)}`,
  },
  {
    name: 'two merchants: spend and visits summed across them',
    merchants: ['alpha', 'beta'],
    rules: { spend: { min: 40.5, currency: 'USD', days: 60 }, visits: { min: 2, days: 60 } },
    sql: `${spendBetween('USD', 60, 40.5, 1e12)} INTERSECT ${visitsOver(60, 1)}`,
  },
  {
    name: 'two merchants: locals at the store of one of them',
    merchants: ['alpha', 'gamma'],
    rules: { visitor: 'local', stores: ['c1'] },
    sql: `${paidAtHome} INTERSECT ${boughtAny('store_id', `'c1'`)}`,
  },
]

describe('segment rules against hand-written SQL over the raw lines', () => {
  it.each(cases)('$name', async ({ merchants = ['alpha'], rules, sql }) => {
    const expected = await expectedKeys(merchants, sql)
    // Each case must select a real part of the customers, or it proves nothing.
    expect(expected.length).toBeGreaterThan(0)
    if (Object.keys(rules).length > 0 && rules.visitor !== 'any')
      expect(expected.length).toBeLessThan((await expectedKeys(merchants, everyone)).length)
    expect(await exactSize(merchants, rules)).toBe(expected.length)
  })

  it('counts every fixture customer of the three merchants once, and nobody without a customer id', async () => {
    expect(await exactSize(['alpha', 'beta', 'gamma'], {})).toBe(customerCount)
  })

  it('ends windows at asOf: earlier asOf, other answer', async () => {
    const scope = await resolveSegmentScope(db, ['alpha'], { lastSeenWithinDays: 7 }, '2026-05-31', limits)
    const [{ n } = { n: -1 }] = await rows<{ n: number }>(
      db,
      `SELECT uniqExact(customer_key) AS n FROM transactions WHERE merchant_id = 'alpha' AND customer_key != ''
         AND status = 'completed' AND toDate(local_at) BETWEEN '2026-05-25' AND '2026-05-31'`,
    )
    expect((await segmentCounts(db, scope)).total).toBe(n)
  })

  it('defaults asOf to the local day of the merchants’ newest sale', async () => {
    const scope = await resolveSegmentScope(db, ['alpha'], {}, undefined, limits)
    expect(scope.asOf).toBe(fixtureAsOf)
  })

  it('splits the size by home country and visitor type exactly', async () => {
    const scope = await resolveSegmentScope(db, ['alpha'], {}, fixtureAsOf, limits)
    const counts = await segmentCounts(db, scope)
    const tourists = await expectedKeys(['alpha'], `${paidAbroad} EXCEPT ${paidAtHome}`)
    const locals = await expectedKeys(['alpha'], paidAtHome)
    expect(counts.byVisitor.get('tourist')).toBe(tourists.length)
    expect(counts.byVisitor.get('local')).toBe(locals.length)
    expect([...counts.byVisitor.values()].reduce((a, b) => a + b, 0)).toBe(counts.total)
    expect(counts.byHomeCountry.get('CN')).toBe((await expectedKeys(['alpha'], latestHomeIn(`'CN'`))).length)
    expect([...counts.byHomeCountry.values()].reduce((a, b) => a + b, 0)).toBe(counts.total)
  })
})

describe('segment membership', () => {
  it('answers has() exactly for every fixture customer, from bitmaps computed in ClickHouse', async () => {
    const membership = createSegmentMembership(db, { limits })
    const rules: SegmentRules = { visitor: 'tourist', spend: { min: 20.5, currency: 'USD', days: 120 } }
    const { id } = await writeSegmentVersion(db, { merchantIds: ['alpha', 'beta'], name: 'tourists', rules })
    await membership.refresh(id)
    const scope = await resolveSegmentScope(db, ['alpha', 'beta'], rules, undefined, limits)
    const expected = new Set(
      await expectedKeys(
        ['alpha', 'beta'],
        `(${paidAbroad} EXCEPT ${paidAtHome}) INTERSECT ${spendBetween('USD', 120, 20.5, 1e12)}`,
      ),
    )
    expect(expected.size).toBe((await segmentCounts(db, scope)).total)
    expect(expected.size).toBeGreaterThan(3)
    for (let i = 0; i < customerCount; i++)
      expect(membership.has(id, customerKey(i)), `customer ${i}`).toBe(expected.has(customerKey(i)))
    expect(membership.has(id, 'not-a-key')).toBe(false)
    expect(membership.has('seg_unknown', customerKey(0))).toBe(false)
    const [stored] = await rows<{ size: number; merchants: string[] }>(
      db,
      `SELECT any(size) AS size, groupArray(merchant_id) AS merchants FROM segment_members WHERE segment_id = {id:String}`,
      { id },
    )
    expect(stored).toEqual({
      size: expected.size,
      merchants: expect.arrayContaining(['alpha', 'beta']) as never,
    })
  })
})
