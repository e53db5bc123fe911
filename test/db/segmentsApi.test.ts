import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  Segment,
  SegmentList,
  SegmentPreview,
  SegmentProfile,
  SegmentRules,
} from '../../server/contract.ts'
import { segmentCounts } from '../../server/queries/segmentPreview.ts'
import { resolveSegmentScope } from '../../server/queries/segmentScope.ts'
import { createSegmentMembership } from '../../server/segments/segmentMembership.ts'
import { customerCount, customerKey, fixtureAsOf, insertSegmentsFixture } from '../support/segmentsFixture.ts'
import { startTestApp, testPseudonymKey, type TestApp } from '../support/testApp.ts'
import { createTestDb, rows } from '../support/testDb.ts'

/** A small K so the fixture's 60 customers show both shown and suppressed groups. */
const K = 5
const rangeDays = 400
let db: Awaited<ReturnType<typeof createTestDb>>
let app: TestApp
let membership: ReturnType<typeof createSegmentMembership>
const keys = { admin: '', marketer: '', alpha: '', gamma: '', wallet: '' }
/** Every response body of these routes, searched for customer keys at the end. */
const bodies: string[] = []

beforeAll(async () => {
  db = await createTestDb()
  await insertSegmentsFixture(db)
  membership = createSegmentMembership(db, { limits: { rangeDays } })
  app = await startTestApp(db, { privacyK: K, rangeDays }, { segmentMembership: membership })
  keys.admin = await app.key({ role: 'admin' })
  keys.marketer = await app.key({ role: 'marketer', merchantIds: ['alpha', 'beta'] })
  keys.alpha = await app.key({ role: 'merchant', merchantId: 'alpha' })
  keys.gamma = await app.key({ role: 'merchant', merchantId: 'gamma' })
  keys.wallet = await app.key({ role: 'wallet' })
})
afterAll(async () => {
  await app.close()
  await db.cleanup()
})

async function call<T>(path: string, key: string, init: { method?: string; json?: unknown } = {}) {
  const response = await app.call(path, { ...init, key })
  bodies.push(JSON.stringify(response.body))
  return response as { status: number; body: T & { error?: { code: string; message: string } } }
}
const preview = (key: string, body: unknown) =>
  call<SegmentPreview>('/api/v1/segments/preview', key, { method: 'POST', json: body })

async function exact(merchants: string[], rules: SegmentRules, asOf = fixtureAsOf) {
  return segmentCounts(db, await resolveSegmentScope(db, merchants, rules, asOf, { rangeDays }))
}

/** What the privacy rule lets through for exact group sizes (the spec, written out). */
function expectPrivateCells(
  cells: SegmentPreview['breakdown']['byVisitor'],
  exactSizes: Map<string, number>,
) {
  const small = [...exactSizes].filter(([, n]) => n < K).map(([k]) => k)
  const hidden = new Set(small)
  if (small.length === 1) {
    const [smallestShown] = [...exactSizes].filter(([k]) => !hidden.has(k)).sort((a, b) => a[1] - b[1])
    if (smallestShown) hidden.add(smallestShown[0])
  }
  expect(cells.map((c) => c.key).sort()).toEqual([...exactSizes.keys()].sort())
  for (const cell of cells) {
    const n = exactSizes.get(cell.key) ?? -1
    if (hidden.has(cell.key)) expect(cell, cell.key).toEqual({ key: cell.key, size: null, suppressed: true })
    else expect(cell, cell.key).toEqual({ key: cell.key, size: Math.floor(n / 10) * 10, suppressed: false })
  }
}

describe('POST /segments/preview', () => {
  it('answers the size rounded down to tens and each breakdown cell suppressed on its own', async () => {
    const rules: SegmentRules = { spend: { min: 20.5, currency: 'USD', days: 120 } }
    const counts = await exact(['alpha', 'beta'], rules)
    expect(counts.total).toBeGreaterThan(10)
    expect(counts.total % 10).not.toBe(0)
    const response = await preview(keys.marketer, {
      merchantIds: ['alpha', 'beta'],
      rules,
      asOf: fixtureAsOf,
    })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({
      merchantIds: ['alpha', 'beta'],
      size: Math.floor(counts.total / 10) * 10,
      suppressed: false,
      threshold: K,
      asOf: fixtureAsOf,
    })
    expectPrivateCells(response.body.breakdown.byHomeCountry, counts.byHomeCountry)
    expectPrivateCells(response.body.breakdown.byVisitor, counts.byVisitor)
    expect(response.body.breakdown.byHomeCountry.some((c) => c.suppressed)).toBe(true)
    expect(response.body.breakdown.byHomeCountry.some((c) => !c.suppressed)).toBe(true)
  })

  it('suppresses a segment under K entirely: size null, never 0 or a number, and every cell', async () => {
    const rules: SegmentRules = { homeCountries: ['CN'], wallets: ['alipay'], stores: ['a2'] }
    const counts = await exact(['alpha'], rules)
    expect(counts.total).toBeGreaterThan(0)
    expect(counts.total).toBeLessThan(K)
    const response = await preview(keys.alpha, { merchantIds: ['alpha'], rules, asOf: fixtureAsOf })
    expect(response.body.size).toBeNull()
    expect(response.body.suppressed).toBe(true)
    for (const cell of [...response.body.breakdown.byHomeCountry, ...response.body.breakdown.byVisitor])
      expect(cell).toMatchObject({ size: null, suppressed: true })
  })

  it('an empty segment is suppressed too, not 0', async () => {
    const response = await preview(keys.admin, { merchantIds: ['alpha'], rules: { products: ['nothing'] } })
    expect(response.body).toMatchObject({ size: null, suppressed: true, asOf: fixtureAsOf })
  })

  it('a marketer of alpha and beta sees nothing of gamma (404), alone or mixed in', async () => {
    for (const merchantIds of [['gamma'], ['alpha', 'gamma']]) {
      const response = await preview(keys.marketer, { merchantIds, rules: {} })
      expect(response.status).toBe(404)
      expect(response.body.error?.message).toContain('gamma')
    }
    expect((await preview(keys.alpha, { merchantIds: ['beta'], rules: {} })).status).toBe(404)
    expect((await preview(keys.admin, { merchantIds: ['nobody'], rules: {} })).status).toBe(404)
  })

  it('refuses wallet keys (403) and missing keys (401)', async () => {
    expect((await preview(keys.wallet, { merchantIds: ['alpha'], rules: {} })).status).toBe(403)
    expect((await preview('', { merchantIds: ['alpha'], rules: {} })).status).toBe(401)
  })

  it.each([
    [{ rules: { age: 30 } }, 'rules: Unrecognized key: "age"'],
    [{ rules: { spend: { min: 1, currency: 'USD', days: 7, extra: 1 } } }, 'rules.spend: Unrecognized key'],
    [{ rules: { homeCountries: ['CN', 'XX'] } }, 'rules.homeCountries.1: unknown country'],
    [{ rules: { spend: { min: 1, currency: 'ABC', days: 7 } } }, 'rules.spend.currency: unknown currency'],
    [
      { rules: { spend: { min: 10, max: 5, currency: 'USD', days: 7 } } },
      'rules.spend.min: min is greater than max',
    ],
    [{ rules: { visits: { min: 3, max: 2, days: 7 } } }, 'rules.visits.min: min is greater than max'],
    [{ rules: { visits: { min: 1, days: rangeDays + 1 } } }, 'rules.visits.days: the window covers 401 days'],
    [{ rules: { notSeenForDays: rangeDays + 1 } }, 'rules.notSeenForDays: the window covers'],
    [{ rules: { categories: Array.from({ length: 201 }, (_, i) => `c${i}`) } }, 'rules.categories: Too big'],
    [{ rules: { stores: ['c1'] } }, 'rules.stores: unknown store c1'],
    [{ rules: { spend: { min: 1, currency: 'JPY', days: 7 } } }, 'rules.spend.currency: no FX rate into JPY'],
    [{ rules: { spendRank: { topPercent: 0, days: 7 } } }, 'rules.spendRank.topPercent'],
    [{ rules: {}, asOf: '2026-02-30' }, 'asOf'],
    [{ rules: {}, merchantIds: [] }, 'merchantIds'],
  ])('400 naming the field: %j', async (body, message) => {
    const response = await preview(keys.admin, { merchantIds: ['alpha'], ...body })
    expect(response.status).toBe(400)
    expect(response.body.error?.message).toContain(message)
  })
})

describe('saved segments', () => {
  let saved: Segment

  it('saves (201) with the size of its freshly computed membership', async () => {
    const rules: SegmentRules = { visitor: 'tourist' }
    const response = await call<Segment>('/api/v1/segments', keys.marketer, {
      method: 'POST',
      json: { merchantIds: ['alpha', 'beta'], name: ' Tourists ', rules },
    })
    expect(response.status).toBe(201)
    saved = response.body
    const counts = await exact(['alpha', 'beta'], rules)
    expect(saved).toMatchObject({
      merchantIds: ['alpha', 'beta'],
      name: 'Tourists',
      rules,
      size: Math.floor(counts.total / 10) * 10,
      suppressed: false,
      threshold: K,
      asOf: fixtureAsOf,
    })
    expect(saved.id).toMatch(/^seg_[0-9a-f]{16}$/)
    expect(Date.parse(saved.refreshedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(saved.createdAt))
  })

  it('saves nothing from a request that fails', async () => {
    const before = await rows<{ n: number }>(db, 'SELECT count() AS n FROM segments')
    for (const json of [
      { merchantIds: ['alpha'], name: 'x', rules: { foo: 1 } },
      { merchantIds: ['alpha'], name: 'x', rules: { stores: ['nope'] } },
      { merchantIds: ['alpha'], name: 'x', rules: { spend: { min: 1, currency: 'JPY', days: 7 } } },
      { merchantIds: ['alpha'], name: 'x', rules: { visits: { min: 1, days: 9999 } } },
      { merchantIds: ['alpha'], name: '', rules: {} },
      { merchantIds: ['alpha', 'gamma'], name: 'x', rules: {} },
    ]) {
      const response = await call('/api/v1/segments', keys.marketer, { method: 'POST', json })
      expect([400, 404]).toContain(response.status)
    }
    const patch = await call(`/api/v1/segments/${saved.id}`, keys.marketer, {
      method: 'PATCH',
      json: { name: 'changed', rules: { homeCountries: ['ZZ'] } },
    })
    expect(patch.status).toBe(400)
    expect(await rows<{ n: number }>(db, 'SELECT count() AS n FROM segments')).toEqual(before)
    expect((await call<Segment>(`/api/v1/segments/${saved.id}`, keys.marketer)).body.name).toBe('Tourists')
  })

  it('lists and reads segments only where the key sees every merchant', async () => {
    const other = await call<Segment>('/api/v1/segments', keys.admin, {
      method: 'POST',
      json: { merchantIds: ['alpha', 'gamma'], name: 'Alpha and Gamma', rules: {} },
    })
    expect(other.status).toBe(201)
    const mine = await call<SegmentList>('/api/v1/segments', keys.marketer)
    expect(mine.body.rows.map((s) => s.id)).toEqual([saved.id])
    const all = await call<SegmentList>('/api/v1/segments', keys.admin)
    expect(all.body.rows.map((s) => s.id)).toEqual([saved.id, other.body.id])
    const gammaOnly = await call<SegmentList>('/api/v1/segments', keys.gamma)
    expect(gammaOnly.body.rows).toEqual([])
    for (const [method, path] of [
      ['GET', `/api/v1/segments/${other.body.id}`],
      ['GET', `/api/v1/segments/${other.body.id}/profile`],
      ['PATCH', `/api/v1/segments/${other.body.id}`],
      ['DELETE', `/api/v1/segments/${other.body.id}`],
      ['GET', `/api/v1/segments/seg_0000000000000000`],
    ] as const) {
      const response = await call(path, keys.marketer, {
        method,
        ...(method === 'PATCH' ? { json: { name: 'mine now' } } : {}),
      })
      expect(response.status, `${method} ${path}`).toBe(404)
    }
    expect((await call(`/api/v1/segments/${saved.id}`, keys.wallet)).status).toBe(403)
    expect((await call<Segment>(`/api/v1/segments/${other.body.id}`, keys.admin)).body.name).toBe(
      'Alpha and Gamma',
    )
  })

  it('renames without changing members, and re-computes them when the rules change', async () => {
    const renamed = await call<Segment>(`/api/v1/segments/${saved.id}`, keys.marketer, {
      method: 'PATCH',
      json: { name: 'Tourists (renamed)' },
    })
    expect(renamed.body).toMatchObject({ name: 'Tourists (renamed)', size: saved.size, rules: saved.rules })
    const rules: SegmentRules = { visitor: 'local', lastSeenWithinDays: 60 }
    const changed = await call<Segment>(`/api/v1/segments/${saved.id}`, keys.marketer, {
      method: 'PATCH',
      json: { rules },
    })
    const counts = await exact(['alpha', 'beta'], rules)
    expect(changed.body).toMatchObject({
      name: 'Tourists (renamed)',
      rules,
      size: Math.floor(counts.total / 10) * 10,
    })
    expect(changed.body.createdAt).toBe(saved.createdAt)
    expect(changed.body.updatedAt > saved.updatedAt).toBe(true)
    const local = (
      await rows<{ k: string }>(
        db,
        `SELECT DISTINCT customer_key AS k FROM transactions WHERE merchant_id IN ('alpha', 'beta')
           AND customer_home_country = store_country AND customer_home_country != '' AND status = 'completed'`,
      )
    ).map((r) => r.k)
    const someLocal = local.find((k) => membership.has(saved.id, k))
    expect(someLocal).toBeDefined()
    saved = changed.body
  })

  it('profiles the members with aggregates only, small groups suppressed', async () => {
    const response = await call<SegmentProfile>(
      `/api/v1/segments/${saved.id}/profile?days=120&currency=USD`,
      keys.marketer,
    )
    expect(response.status).toBe(200)
    const profile = response.body
    expect(profile).toMatchObject({
      segmentId: saved.id,
      asOf: fixtureAsOf,
      from: '2026-03-03',
      currency: 'USD',
    })
    // The members' lines, by the hand: customers per local hour, and spend per visit in USD.
    const memberKeys = (
      await rows<{ k: string }>(
        db,
        `SELECT DISTINCT customer_key AS k FROM transactions WHERE merchant_id IN ('alpha', 'beta')
           AND customer_key != '' AND status = 'completed'`,
      )
    )
      .map((r) => r.k)
      .filter((k) => membership.has(saved.id, k))
    const hours = await rows<{ hour: number; customers: number }>(
      db,
      `SELECT toHour(local_at) AS hour, uniqExact(customer_key) AS customers FROM transactions
       WHERE merchant_id IN ('alpha', 'beta') AND status = 'completed' AND customer_key IN {k:Array(String)}
         AND toDate(local_at) BETWEEN '2026-03-03' AND {asOf:Date}
       GROUP BY hour ORDER BY hour`,
      { k: memberKeys, asOf: fixtureAsOf },
    )
    expect(profile.hourOfDay.map((h) => h.key).sort()).toEqual(hours.map((h) => String(h.hour)).sort())
    const hidden = new Set(hours.filter((h) => h.customers < K).map((h) => String(h.hour)))
    for (const row of profile.hourOfDay) {
      const n = hours.find((h) => String(h.hour) === row.key)?.customers ?? -1
      if (row.suppressed) expect(row.customers).toBeNull()
      else expect(row.customers).toBe(Math.floor(n / 10) * 10)
      if (hidden.has(row.key)) expect(row.suppressed).toBe(true)
    }
    const shownShares = profile.hourOfDay.filter((h) => !h.suppressed).reduce((s, h) => s + (h.share ?? 0), 0)
    expect(shownShares).toBeLessThanOrEqual(1.0001)
    const [visit] = await rows<{ perVisit: number; perCustomer: number }>(
      db,
      `SELECT round(sum(toFloat64(l.amount) * if(l.currency = 'USD', 1, toFloat64(r.rate))) /
                    uniqExact(l.customer_key, toDate(l.local_at)), 2) AS perVisit,
              round(uniqExact(l.customer_key, toDate(l.local_at)) / uniqExact(l.customer_key), 2) AS perCustomer
       FROM transactions AS l
       LEFT JOIN fx_rates AS r ON r.base = l.currency AND r.quote = 'USD' AND r.date = toDate(l.occurred_at)
       WHERE l.merchant_id IN ('alpha', 'beta') AND l.status = 'completed' AND l.customer_key IN {k:Array(String)}
         AND toDate(l.local_at) BETWEEN '2026-03-03' AND {asOf:Date}`,
      { k: memberKeys, asOf: fixtureAsOf },
    )
    expect(profile.spendPerVisit).toBeCloseTo(visit?.perVisit ?? -1, 1)
    expect(profile.visitsPerCustomer).toBe(visit?.perCustomer)
    expect(profile.topCategories.length).toBeGreaterThan(0)
    for (const list of [profile.topCategories, profile.topProducts, profile.weekday, profile.homeCountries])
      for (const row of list) if (row.suppressed) expect([row.customers, row.share]).toEqual([null, null])
  })

  it('deletes: gone from reads, and its members dropped', async () => {
    const member = customerKeysOf(saved.id)
    expect(member).toBeDefined()
    const response = await call<Segment>(`/api/v1/segments/${saved.id}`, keys.marketer, { method: 'DELETE' })
    expect(response.status).toBe(200)
    expect((await call(`/api/v1/segments/${saved.id}`, keys.marketer)).status).toBe(404)
    expect((await call<SegmentList>('/api/v1/segments', keys.marketer)).body.rows).toEqual([])
    expect(membership.has(saved.id, member ?? '')).toBe(false)
    const [last] = await rows<{ deleted: number; size: number }>(
      db,
      `SELECT argMax(deleted, refreshed_at) AS deleted, argMax(size, refreshed_at) AS size
       FROM segment_members WHERE segment_id = {id:String}`,
      { id: saved.id },
    )
    expect(last).toEqual({ deleted: 1, size: 0 })
    // Created, changed and deleted, each audited under the acting key's id.
    const audit = await rows<{ action: string; keyId: string }>(
      db,
      `SELECT action, key_id AS keyId FROM audit_log WHERE target = {id:String} ORDER BY at`,
      { id: saved.id },
    )
    expect(audit.at(0)?.action).toBe('segment.created')
    expect(audit.at(-1)).toEqual({ action: 'segment.deleted', keyId: keys.marketer.split('_')[1] })
  })
})

function customerKeysOf(segmentId: string): string | undefined {
  return Array.from({ length: customerCount }, (_, i) => customerKey(i)).find((k) =>
    membership.has(segmentId, k),
  )
}

describe('membership after ingest', () => {
  it('refreshes after an ingest batch that stored lines', async () => {
    const created = await call<Segment>('/api/v1/segments', keys.admin, {
      method: 'POST',
      json: { merchantIds: ['beta'], name: 'Icelanders', rules: { homeCountries: ['IS'] } },
    })
    const newcomer = createHmac('sha256', testPseudonymKey)
      .update('visitor-from-reykjavik')
      .digest('hex')
      .slice(0, 32)
    expect(membership.has(created.body.id, newcomer)).toBe(false)
    const before = membership.refreshedAt()
    const ingest = await app.call('/api/v1/ingest/transactions', {
      method: 'POST',
      key: keys.admin,
      headers: { 'content-type': 'application/x-ndjson' },
      body: JSON.stringify({
        transaction_id: 'ice-1',
        merchant_id: 'beta',
        store_id: 'b1',
        occurred_at: '2026-06-29T10:00:00+08:00',
        product_id: 'p1',
        quantity: 1,
        unit_price: 30,
        customer_id: 'visitor-from-reykjavik',
        customer_home_country: 'IS',
      }),
    })
    expect(ingest.status).toBe(200)
    for (let i = 0; i < 100 && !membership.has(created.body.id, newcomer); i++)
      await new Promise((resolve) => setTimeout(resolve, 100))
    expect(membership.has(created.body.id, newcomer)).toBe(true)
    expect(membership.refreshedAt()).not.toBe(before)
  })
})

describe('privacy of every response', () => {
  it('no response carried a customer key, or its first 16 digits', () => {
    const text = bodies.join('\n')
    expect(bodies.length).toBeGreaterThan(30)
    for (let i = 0; i < customerCount; i++) {
      expect(text).not.toContain(customerKey(i).slice(0, 16))
    }
    expect(text).not.toContain('visitor-from-reykjavik')
  })
})
