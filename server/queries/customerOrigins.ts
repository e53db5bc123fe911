import type { OriginRow } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import type { InsightsScope } from './insightsScope.ts'
import { defaultPrivacyThreshold, suppressSmallGroups } from './privacy.ts'
import { reportFx } from './reportFx.ts'
import { customerLines, customerSets, type CustomerSource } from './salesSource.ts'

interface OriginCounts {
  homeCountry: string
  tourist: boolean
  customers: number
  revenue: number
  share: number
}

/**
 * Customers and revenue by home country, split tourist (home country differs from the store's country,
 * both known) or local. share = the group's revenue / revenue of all lines with a known origin.
 * Groups under K customers are suppressed: customers, revenue and share are null. Because the shown shares
 * sum to 1, a single suppressed group could be derived as 1 - the others; so when exactly one group is
 * suppressed, the next smallest group is suppressed with it (complementary suppression). No total is shown.
 */
export async function customerOrigins(
  db: Db,
  scope: InsightsScope,
  params: { limit: number; threshold?: number; source?: CustomerSource | undefined },
): Promise<OriginRow[]> {
  const lines = customerLines(scope, params.source)
  const people = customerSets(scope, params.source)
  const fx = await reportFx(db, scope, lines.sql, lines.params)
  // Revenue converts per currency and UTC day; distinct customers are counted per group from their own
  // source (see customerSets) and joined on (home, tourist).
  const revenue = fx.keys.length
    ? `
          g AS (
            SELECT home_country AS home, tourist, currency, toStartOfDay(hour_utc) AS hour_utc, sum(amount) AS amt
            FROM lines WHERE known
            GROUP BY home, tourist, currency, hour_utc
          ),
          revenue AS (
            SELECT g.home AS home, g.tourist AS tourist, sum(g.amt * ${fx.rate}) AS revenue
            FROM g ${fx.join}
            GROUP BY home, tourist
          ),`
    : `
          revenue AS (
            SELECT home_country AS home, tourist, sum(amount) AS revenue
            FROM lines WHERE known
            GROUP BY home, tourist
          ),`
  const result = await db.client.query({
    query: `
        WITH
          lines AS (${lines.sql}),
          people AS (${people.sql}),
          ${fx.ctes}
          ${revenue}
          counts AS (
            SELECT home_country AS home, tourist, ${people.customers} AS customers
            FROM people WHERE known
            GROUP BY home, tourist
          ),
          by_group AS (
            SELECT r.home AS home, r.tourist AS tourist, c.customers AS customers, r.revenue AS revenue
            FROM revenue AS r LEFT JOIN counts AS c ON c.home = r.home AND c.tourist = r.tourist
          )
        SELECT home AS homeCountry, tourist, customers,
               CAST(round(revenue, 2) AS Decimal(38, 2)) AS revenue,
               if(sum(revenue) OVER () = 0, 0, round(toFloat64(revenue) / toFloat64(sum(revenue) OVER ()), 4)) AS share
        FROM by_group
        ORDER BY customers DESC, homeCountry, tourist`,
    query_params: { ...lines.params, ...people.params },
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'customerOrigins', join_use_nulls: 0 },
  })
  const groups = (await result.json<OriginCounts>()).map((g) => ({ ...g, tourist: Boolean(g.tourist) }))
  return withoutSmallGroups(groups, params.threshold ?? defaultPrivacyThreshold).slice(0, params.limit)
}

function withoutSmallGroups(groups: OriginCounts[], threshold: number): OriginRow[] {
  return suppressSmallGroups(
    groups,
    threshold,
    (g) => g.customers,
    (a, b) => a.homeCountry.localeCompare(b.homeCountry) || Number(a.tourist) - Number(b.tourist),
  ).map(({ group: g, hidden }) =>
    hidden
      ? {
          homeCountry: g.homeCountry,
          tourist: g.tourist,
          customers: null,
          revenue: null,
          share: null,
          suppressed: true,
        }
      : { ...g, suppressed: false },
  )
}
