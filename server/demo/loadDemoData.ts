import type { Db } from '../db/createDb.ts'
import { demoBatchId, demoCities, demoCity, demoMerchants, demoStores } from './demoCatalog.ts'
import { insertDemoFxRates } from './insertDemoFxRates.ts'
import { demoCityParams, insertDemoTransactions } from './insertDemoTransactions.ts'
import { insertDemoWeather } from './insertDemoWeather.ts'
import { seedDemoOffers } from './seedDemoOffers.ts'
import { seedDemoSegments } from './seedDemoSegments.ts'

/** Candidate baskets generated per line wanted: after thinning, a candidate yields 0.6-0.7 lines. */
const candidatesPerLine = 2

/**
 * Loads the generated demo data set: merchants, stores, a year of hourly weather per city, daily FX rates,
 * and `lines` transaction lines split across the cities by store weight, all generated inside the engine
 * from hashes of row numbers, so the same `lines` always yields the same rows. Records the batch in the
 * ledger as batch 'demo', and saves the demo's marketing segments and offers (with a month of wallet traffic).
 */
export async function loadDemoData(
  db: Db,
  /** linesPerRound caps the lines of one INSERT, which bounds the memory of its final sort. */
  options: { lines: number; linesPerRound?: number },
): Promise<{ lines: number; ms: number }> {
  const started = performance.now()
  const startedAt = new Date()
  await db.client.insert({
    table: 'merchants',
    format: 'JSONEachRow',
    values: demoMerchants.map((m) => ({
      merchant_id: m.id,
      name: m.name,
      currency: m.currency,
      timezone: m.timezone,
    })),
  })
  await db.client.insert({
    table: 'stores',
    format: 'JSONEachRow',
    values: demoStores.map((s) => {
      const city = demoCity(s.city)
      return {
        merchant_id: s.merchantId,
        store_id: s.storeId,
        name: s.name,
        lat: s.lat,
        lon: s.lon,
        timezone: city.timezone,
        country: city.country,
        city: city.name,
        currency: city.currency,
      }
    }),
  })
  for (const city of demoCities) await insertDemoWeather(db, city)
  await insertDemoFxRates(db)

  const shares = demoCities.map((city) =>
    demoStores.filter((s) => s.city === city.id).reduce((sum, s) => sum + s.weight, 0),
  )
  const totalShare = shares.reduce((a, b) => a + b, 0)
  let assigned = 0
  for (const [i, city] of demoCities.entries()) {
    const cityLines =
      i === demoCities.length - 1
        ? options.lines - assigned
        : Math.round((options.lines * (shares[i] ?? 0)) / totalShare)
    assigned += cityLines
    const params = demoCityParams(city, cityLines)
    // Thinning keeps an unknown share of candidates, so generate in rounds until the city has its lines.
    let inserted = 0
    let first = 0
    while (inserted < cityLines) {
      const limit = Math.min(cityLines - inserted, options.linesPerRound ?? 2_000_000)
      const candidates = Math.max(10_000, Math.ceil(limit * candidatesPerLine))
      await insertDemoTransactions(db, params, { first, candidates, limit })
      first += candidates
      const before = inserted
      inserted = await countCityLines(db, params.storeId)
      if (inserted === before)
        throw new Error(`demo generator made no lines for ${city.name}; is its weather loaded?`)
    }
  }

  await db.client.insert({
    table: 'ingest_batches',
    format: 'JSONEachRow',
    values: [
      {
        scope: '',
        batch_id: demoBatchId,
        kind: 'transactions',
        format: 'generated',
        source: `demo generator (${options.lines.toLocaleString('en-US')} lines)`,
        content_hash: '',
        status: 'done',
        received: options.lines,
        inserted: options.lines,
        duplicates: 0,
        rejected: 0,
        error: '',
        started_at: startedAt.getTime(),
        finished_at: Date.now(),
      },
    ],
  })
  await seedDemoSegments(db)
  await seedDemoOffers(db)
  return { lines: options.lines, ms: Math.round(performance.now() - started) }
}

async function countCityLines(db: Db, storeIds: string[]): Promise<number> {
  const result = await db.client.query({
    query: `SELECT count() AS n FROM transactions WHERE batch_id = {batchId:String} AND store_id IN {storeIds:Array(String)}`,
    query_params: { batchId: demoBatchId, storeIds },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'countDemoCityLines' },
  })
  const [row] = await result.json<{ n: number }>()
  return row?.n ?? 0
}
