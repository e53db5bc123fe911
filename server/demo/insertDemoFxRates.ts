import type { Db } from '../db/createDb.ts'
import { demoBatchId, demoCurrencies, demoFxWindow } from './demoCatalog.ts'

/**
 * Daily reference rates for every ordered pair of demo currencies (both directions), every UTC date that
 * holds a sale of the demo year (demoFxWindow): 1 base = rate quote. Each currency's dollar value drifts
 * smoothly (a yearly swing, a monthly wobble and small daily noise); cross rates are ratios of dollar
 * values, so they are mutually consistent.
 */
export async function insertDemoFxRates(db: Db): Promise<void> {
  await db.client.command({
    query: `
      INSERT INTO fx_rates (date, base, quote, rate, batch_id)
      SELECT date, codes[b] AS base, codes[q] AS quote, toDecimal128(round(usd[b] / usd[q], 10), 10), {batchId:String}
      FROM (
        SELECT
          {codes:Array(String)} AS codes,
          toDate({firstDay:String}) + number AS date,
          arrayMap(i -> {usd:Array(Float64)}[i] * exp(
              {yearly:Array(Float64)}[i] * sin(2 * pi() * number / 365 + i)
            + {monthly:Array(Float64)}[i] * sin(2 * pi() * number / 29.5 + 2 * i)
            + {daily:Array(Float64)}[i] * (cityHash64('fx', i, number) / 18446744073709551616.0 - 0.5)),
            range(1, length(codes) + 1)) AS usd
        FROM numbers({days:UInt32})
      )
      ARRAY JOIN range(1, length(codes) + 1) AS b
      ARRAY JOIN range(1, length(codes) + 1) AS q
      WHERE b != q`,
    query_params: {
      batchId: demoBatchId,
      firstDay: demoFxWindow.firstDay,
      days: demoFxWindow.days,
      codes: demoCurrencies.map((c) => c.code),
      usd: demoCurrencies.map((c) => c.usd),
      yearly: demoCurrencies.map((c) => c.yearly),
      monthly: demoCurrencies.map((c) => c.monthly),
      daily: demoCurrencies.map((c) => c.daily),
    },
    clickhouse_settings: { log_comment: 'insertDemoFxRates' },
  })
}
