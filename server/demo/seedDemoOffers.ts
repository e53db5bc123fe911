import { createHash } from 'node:crypto'
import type { Offer } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { saveOffer } from '../queries/saveOffer.ts'

/** The month of wallet traffic the demo offers start with: first impressions fall in [from, to). */
export const demoWalletWindow = { from: '2026-10-01 00:00:00', to: '2026-10-25 00:00:00' } as const

/** Of the customers a merchant saw in the window or the 30 days before, the share who use a wallet with offers. */
const walletShare = 80
/**
 * The effect the demo plants: this share of exposed customers had their impression shortly (1 to 48 hours)
 * before one of their purchases in the window, as if the offer brought them in; held-out customers and the
 * rest of the exposed ones saw it (or would have) at a random moment of the window.
 */
const influencedShare = 30

interface DemoOffer {
  merchantId: string
  name: string
  text: string
  value: Offer['value']
  radiusM: number
  hours?: { from: string; to: string }
  /** Name of one of the merchant's demo segments to target. */
  segment?: string
  /** Whether the demo generates a month of impressions for it. */
  traffic: boolean
}

const demoOffers: readonly DemoOffer[] = [
  {
    merchantId: 'brewline',
    name: 'Coffee break',
    text: '15% off any drink, today only',
    value: { kind: 'percent', amount: 15 },
    radiusM: 400,
    traffic: true,
  },
  {
    merchantId: 'brewline',
    name: 'Morning mocha',
    text: 'A mocha and a croissant for $6',
    value: { kind: 'amount', amount: 2, currency: 'USD' },
    radiusM: 300,
    hours: { from: '06:30', to: '11:00' },
    traffic: false,
  },
  {
    merchantId: 'maison-lumiere',
    name: 'Visitor welcome',
    text: '10% off for visitors, show this at the till',
    value: { kind: 'percent', amount: 10 },
    radiusM: 600,
    traffic: true,
  },
  {
    merchantId: 'maison-lumiere',
    name: 'American visitors',
    text: '€20 off a purchase of €150',
    value: { kind: 'amount', amount: 20, currency: 'EUR' },
    radiusM: 1000,
    segment: 'American tourists in Paris',
    traffic: false,
  },
  {
    merchantId: 'harbour-metro',
    name: 'Ride and save',
    text: 'HK$5 off your next ride',
    value: { kind: 'amount', amount: 5, currency: 'HKD' },
    radiusM: 300,
    traffic: true,
  },
  {
    merchantId: 'jade-garden',
    name: 'Dim sum treat',
    text: '15% off the bill',
    value: { kind: 'percent', amount: 15 },
    radiusM: 500,
    traffic: true,
  },
  {
    merchantId: 'jade-garden',
    name: 'Lunch set',
    text: 'Lunch set with tea, 20% off',
    value: { kind: 'percent', amount: 20 },
    radiusM: 500,
    hours: { from: '11:00', to: '15:00' },
    traffic: false,
  },
]

const demoOfferId = (o: DemoOffer) =>
  `off_${createHash('sha256').update(`demo-offer:${o.merchantId}:${o.name}`).digest('hex').slice(0, 16)}`

/**
 * Saves the demo offers (fixed ids, running until mid-2027 so the Wallet preview answers near every store)
 * and, for the ones with traffic, a month of wallet impressions and would-have-seens, generated in the engine
 * from the demo lines: every customer of the merchant around the window may be a wallet user; the held-out
 * group is the wallet's own stable hash rule (holdout.ts), computed in SQL. Runs after the lines and the
 * demo segments.
 */
export async function seedDemoOffers(db: Db): Promise<void> {
  for (const demo of demoOffers) {
    const offerId = demoOfferId(demo)
    const segmentId = demo.segment ? await demoSegmentId(db, demo.merchantId, demo.segment) : undefined
    const offer: Offer = {
      offerId,
      merchantId: demo.merchantId,
      name: demo.name,
      text: demo.text,
      value: demo.value,
      stores: [],
      radiusM: demo.radiusM,
      segmentId: segmentId ?? null,
      schedule: { from: '2026-10-01', to: '2027-06-30', ...(demo.hours ? { hours: demo.hours } : {}) },
      cap: { count: 3, days: 7 },
      dailyBudget: 20_000,
      holdoutPercent: 25,
      attributionDays: 7,
      status: 'active',
      createdAt: '2026-09-28T09:00:00.000Z',
      updatedAt: '2026-09-28T09:00:00.000Z',
    }
    await saveOffer(db, offer)
    if (demo.traffic) await insertDemoWalletTraffic(db, offer)
  }
}

async function demoSegmentId(db: Db, merchantId: string, name: string): Promise<string | undefined> {
  const result = await db.client.query({
    query: `SELECT segment_id FROM segments FINAL
            WHERE merchant_id = {merchantId:String} AND name = {name:String} ORDER BY created_at LIMIT 1`,
    query_params: { merchantId, name },
    format: 'JSONCompactEachRow',
    clickhouse_settings: { log_comment: 'demoSegmentId' },
  })
  const [row] = await result.json<[string]>()
  return row?.[0]
}

async function insertDemoWalletTraffic(db: Db, offer: Offer): Promise<void> {
  await db.client.command({
    query: `
      INSERT INTO offer_events (merchant_id, offer_id, event_id, type, customer_key, store_id, cell, local_date, at)
      SELECT {merchantId:String}, {offerId:String},
             concat('demo-', lower(hex(cityHash64(customer_key, n, {offerId:String})))),
             if(held, 'would_have_seen', 'impression'), customer_key, store_id, cell, toDate(at), at
      FROM (
        SELECT customer_key, store_id, cell, held, n,
               -- Later impressions (up to the cap of 3 a week) follow the first by 1 to 5 days.
               first_at + toIntervalMinute(if(n = 1, 0, (n - 1) * 1440 + cityHash64(customer_key, n, 'gap') % 2880)) AS at
        FROM (
          SELECT v.customer_key AS customer_key, v.store_id AS store_id,
                 concat(toString(toDecimal64(floor(s.lat * 100) / 100, 2)), ',',
                        toString(toDecimal64(floor(s.lon * 100) / 100, 2))) AS cell,
                 reinterpretAsUInt32(reverse(substring(SHA256(concat({offerId:String}, ':', v.customer_key)), 1, 4)))
                   < {holdoutPercent:UInt8} / 100 * 4294967296 AS held,
                 if(NOT held AND cityHash64(v.customer_key, 'influenced') % 100 < {influencedShare:UInt8}
                      AND notEmpty(v.buys),
                    greatest(toDateTime64({from:String}, 3, 'UTC'),
                             v.buys[1 + cityHash64(v.customer_key, 'pick') % length(v.buys)]
                               - toIntervalMinute(60 + cityHash64(v.customer_key, 'lead') % 2820)),
                    toDateTime64({from:String}, 3, 'UTC')
                      + toIntervalSecond(cityHash64(v.customer_key, 'when') % {windowSeconds:UInt32})) AS first_at
          FROM (
            SELECT customer_key, argMin(store_id, occurred_at) AS store_id,
                   arrayFilter(t -> t >= toDateTime64({from:String}, 3, 'UTC') + INTERVAL 1 DAY
                                    AND t < toDateTime64({to:String}, 3, 'UTC'),
                               groupArray(occurred_at)) AS buys
            FROM transactions
            WHERE merchant_id = {merchantId:String} AND customer_key != '' AND status = 'completed'
              AND occurred_at >= toDateTime64({from:String}, 3, 'UTC') - INTERVAL 30 DAY
              AND occurred_at < toDateTime64({to:String}, 3, 'UTC') + INTERVAL 7 DAY
            GROUP BY customer_key
            HAVING cityHash64(customer_key, 'wallet') % 100 < {walletShare:UInt8}
          ) AS v
          INNER JOIN (SELECT store_id, lat, lon FROM stores FINAL WHERE merchant_id = {merchantId:String}) AS s
            ON s.store_id = v.store_id
        )
        ARRAY JOIN range(1, 2 + cityHash64(customer_key, 'repeat') % 3) AS n
      )
      WHERE at < toDateTime64({to:String}, 3, 'UTC')`,
    query_params: {
      merchantId: offer.merchantId,
      offerId: offer.offerId,
      holdoutPercent: offer.holdoutPercent,
      influencedShare,
      walletShare,
      from: demoWalletWindow.from,
      to: demoWalletWindow.to,
      windowSeconds: (Date.parse(`${demoWalletWindow.to}Z`) - Date.parse(`${demoWalletWindow.from}Z`)) / 1000,
    },
    clickhouse_settings: { log_comment: 'insertDemoWalletTraffic' },
  })
}
