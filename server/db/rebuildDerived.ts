import { TupleParam } from '@clickhouse/client'
import { type MerchantMonth, repairBasketFlags } from './basketFlags.ts'
import type { Db } from './createDb.ts'
import { rollupLocalTime, rollupTables } from './derivedTables.ts'
import { deleteTogether } from './deleteTogether.ts'

export interface DerivedScope {
  merchantId: string
  /** Local months (first days, 'YYYY-MM-01') of the stores' wall clock. */
  localMonths: readonly string[]
}

/**
 * Makes the derived state of the given merchants' local months equal what their lines say, whatever state
 * it is in (rows missing, rows counted twice, bitmaps holding numbers no line has): the rollup rows of
 * those months are deleted and made again from the lines, by the same SQL that fills them on insert, and
 * each merchant's top customer number is restored from the numbers handed out (a crash between a
 * numbering and the view that records its top would otherwise hand the same numbers out again). The
 * baskets of those months get their flags set right first (repairBasketFlags: an insert that stored only
 * some of its lines), and the months of any line whose flag changed are rebuilt too. Idempotent.
 *
 * Every merchant-month goes in one pass: one DELETE per rollup, and one insert per view and local month,
 * whatever the number of merchants. A killed insert of 500,000 lines leaves the months of every merchant
 * it held open, and one pass per merchant cost 293 s for 111 merchant-months (2026-12-01, 1M lines).
 *
 * Lines that arrive between the delete and the re-insert would be counted twice: run it inside
 * `exclusively` (commitLock.ts), or before anything else writes (start-up).
 */
export async function rebuildDerived(db: Db, scopes: readonly DerivedScope[]): Promise<void> {
  const asked = merchantMonths(scopes.flatMap((s) => s.localMonths.map((m) => [s.merchantId, m] as const)))
  if (asked.length === 0) return
  // Basket flags first: the rollups count them, and a line whose flag changes may lie in another month.
  const flagged = await repairBasketFlags(db, { merchantMonths: asked, ...utcRange(asked) })
  const pairs = merchantMonths([...asked, ...flagged])
  const params = {
    rebuildMerchants: [...new Set(pairs.map(([merchant]) => merchant))],
    rebuildPairs: pairs.map((pair) => new TupleParam([...pair])),
  }
  const settings = {
    log_comment: 'rebuildDerived',
    mutations_sync: '2',
    lightweight_deletes_sync: '2',
  } as const
  await db.client.command({
    query: `INSERT INTO customer_number_tops (merchant_id, top)
            SELECT merchant_id, max(customer_no) FROM customer_numbers
            WHERE merchant_id IN {rebuildMerchants:Array(String)} GROUP BY merchant_id`,
    query_params: params,
    clickhouse_settings: settings,
  })
  // The months' rows of every rollup go at once (deleteTogether.ts): one DELETE at a time cost the sum.
  const deletions = rollupTables.flatMap((table) => {
    const localTime = rollupLocalTime[table]
    return localTime === null
      ? []
      : [
          {
            table,
            where: `merchant_id IN {rebuildMerchants:Array(String)}
                    AND (merchant_id, toStartOfMonth(${localTime})) IN {rebuildPairs:Array(Tuple(String, Date))}`,
          },
        ]
  })
  await deleteTogether(db, deletions, params, settings.log_comment)
  // Only the views reading transactions are run: inserting their rows fires the views chained off them
  // (monthly bitmaps off the daily ones), as an ingest does. They read the basket flags as the lines
  // hold them, set right above: the flags are the only part of a line a rebuild may change. One local
  // month at a time, for every merchant of it: refilling one month of every merchant at 100M lines (8M
  // lines) peaked at 0.9 GB (2026-12-01), and a year in one insert would hold twelve months of groups.
  const rollups: readonly string[] = rollupTables
  const views = (await viewsOnTransactions(db)).filter((v) => rollups.includes(v.target))
  for (const month of [...new Set(pairs.map(([, m]) => m))].sort()) {
    const ofMonth = pairs.filter(([, m]) => m === month)
    const monthRange = utcRange(ofMonth)
    const monthParams = {
      rebuildMerchants: ofMonth.map(([merchant]) => merchant),
      rebuildMonth: month,
      rebuildFrom: monthRange.from,
      rebuildTo: monthRange.to,
    }
    for (const view of views) {
      await db.client.command({
        query: `INSERT INTO ${view.target} (${view.columns.join(', ')})
                SELECT ${view.columns.join(', ')} FROM (${view.select(`(
                  SELECT * FROM ${view.database}.transactions
                  WHERE merchant_id IN {rebuildMerchants:Array(String)}
                    AND occurred_at >= {rebuildFrom:DateTime} AND occurred_at < {rebuildTo:DateTime}
                    AND toStartOfMonth(local_at) = {rebuildMonth:Date})`)})`,
        query_params: monthParams,
        clickhouse_settings: { ...settings, asterisk_include_materialized_columns: 1 },
      })
    }
  }
}

/** Each pair once, in order. */
function merchantMonths(pairs: readonly MerchantMonth[]): MerchantMonth[] {
  const seen = new Map(pairs.map((pair) => [JSON.stringify(pair), pair]))
  return [...seen.keys()].sort().map((key) => seen.get(key) as MerchantMonth)
}

interface TransactionsView {
  name: string
  database: string
  /** The table the view fills. */
  target: string
  columns: string[]
  /** The view's SELECT with `transactions` replaced by the given table expression. */
  select(lines: string): string
}

/**
 * The materialized views that read transactions, from the engine's own record of them, so a rebuild runs
 * exactly the SQL an insert runs. Only those filling a table of rollupTables are rebuilt; a test holds
 * that every such view fills one (a rollup missing from derivedTables.ts would never be repaired).
 */
export async function viewsOnTransactions(db: Db): Promise<TransactionsView[]> {
  const result = await db.client.query({
    query: `SELECT v.database AS database, v.name AS name, v.as_select AS view_select, v.create_table_query AS ddl,
                   arrayMap(c -> c.1, arraySort(c -> c.2, groupArray((c.name, c.position)))) AS columns
            FROM system.tables AS v
            INNER JOIN system.columns AS c ON c.database = v.database AND c.table = v.name
            WHERE v.database = currentDatabase() AND v.engine = 'MaterializedView'
              AND v.name IN (SELECT arrayJoin(dependencies_table) FROM system.tables
                             WHERE database = currentDatabase() AND name = 'transactions')
            GROUP BY database, name, view_select, ddl
            ORDER BY name`,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'viewsOnTransactions' },
  })
  const views = await result.json<{
    database: string
    name: string
    view_select: string
    ddl: string
    columns: string[]
  }>()
  return views.map((view) => {
    const target = /^CREATE MATERIALIZED VIEW \S+ TO ([\w.]+) /.exec(view.ddl)?.[1]?.split('.').at(-1) ?? ''
    // The engine records the view's SELECT with qualified names: `<database>.transactions AS t`.
    const pieces = /^\w+$/.test(view.database)
      ? view.view_select.split(new RegExp(`\\b${view.database}\\.transactions\\b`))
      : []
    return {
      name: view.name,
      database: view.database,
      target,
      columns: view.columns,
      select: (lines: string) => {
        if (pieces.length !== 2 || !view.columns.every((c) => /^\w+$/.test(c)))
          throw new Error(
            `the view ${view.name} cannot be rebuilt: it must read transactions once, into plain columns`,
          )
        return pieces.join(lines)
      },
    }
  })
}

/** A UTC range holding every line of the pairs' local months: no zone is more than 14 hours off. */
function utcRange(pairs: readonly MerchantMonth[]): { from: string; to: string } {
  const months = pairs.map(([, month]) => month).sort()
  const first = months[0] ?? ''
  const last = months.at(-1) ?? ''
  return { from: `${shiftDays(first, -1)} 00:00:00`, to: `${shiftDays(nextMonth(last), 1)} 00:00:00` }
}

function shiftDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

function nextMonth(month: string): string {
  const d = new Date(`${month}T00:00:00Z`)
  d.setUTCMonth(d.getUTCMonth() + 1)
  return d.toISOString().slice(0, 10)
}
