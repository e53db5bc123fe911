import { createDb } from '/work/wt-seg-speed/server/db/createDb.ts'
import { resolveSegmentScope } from '/work/wt-seg-speed/server/queries/segmentScope.ts'
import { segmentCustomersSql } from '/work/wt-seg-speed/server/queries/segmentCustomersSql.ts'
async function main() {
  const db = await createDb({ mode: 'embedded', dataDir: '/tmp/seg-speed-bench1m' })
  const variants = JSON.parse(process.argv[2] ?? '[]') as { m: string[]; rules: any }[]
  for (const v of variants) {
    const scope = await resolveSegmentScope(db, v.m, v.rules, undefined, { rangeDays: 1100 })
    const a = segmentCustomersSql(db, scope)
    const q = `WITH ${a.ctes} groups AS (SELECT home, visitor, count() AS customers FROM segment_customers GROUP BY home, visitor) SELECT sum(customers) AS n FROM groups`
    const times: number[] = []
    for (let i = 0; i < 7; i++) {
      const t = performance.now()
      await (
        await db.client.query({
          query: q,
          query_params: a.params,
          format: 'JSONEachRow',
          clickhouse_settings: { join_use_nulls: 0 },
        })
      ).json()
      times.push(Math.round(performance.now() - t))
    }
    const fx = `WITH ${a.ctes} x AS (SELECT 1) SELECT count() FROM fx`
    const ft: number[] = []
    if (a.ctes.includes('fx_loaded'))
      for (let i = 0; i < 5; i++) {
        const t = performance.now()
        await (await db.client.query({ query: fx, query_params: a.params, format: 'JSONEachRow' })).json()
        ft.push(Math.round(performance.now() - t))
      }
    console.log(
      JSON.stringify(v.rules),
      times.sort((x, y) => x - y).join(' '),
      'fx:',
      ft.sort((x, y) => x - y).join(' '),
    )
  }
  process.exit(0)
}
void main()
