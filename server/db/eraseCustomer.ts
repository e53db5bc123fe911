import { randomBytes } from 'node:crypto'
import { exclusively } from './commitLock.ts'
import type { Db } from './createDb.ts'
import { closeMarks } from './derivedRepairs.ts'
import { rollupTables } from './derivedTables.ts'
import { rebuildDerived } from './rebuildDerived.ts'

export interface Erasure {
  merchantId: string
  /** The pseudonym (customerKeyOf); the raw id never reaches a table. */
  customerKey: string
  /** The raw id, only to find quarantined rows that hold it verbatim. */
  customerId: string
}

export interface ErasureOutcome {
  /** Names this erasure in the audit log; says nothing about the person. */
  erasureId: string
  linesAnonymised: number
  localMonths: number
  /** Tables that held something of the person, besides transactions and the rollups. */
  tables: string[]
}

const personColumns = ['customer_key', 'customer_no'] as const
const bitmapType = 'AggregateFunction(groupBitmap, UInt32)'

/**
 * Removes everything that links a merchant's customer to their pseudonym or number, keeping the sales:
 *   - the lines stay, anonymised (customer_key '', customer_no 0), so every sales total is unchanged;
 *   - in every other table with a customer_key or customer_no column (found in system.columns, so tables
 *     added later are covered), rows keyed by the person (the column is in the sorting, primary or
 *     partition key: customer_numbers) are deleted, rows that only mention them are anonymised;
 *   - the person's number leaves every customer bitmap: the rollups' months are rebuilt from the
 *     anonymised lines (rebuildDerived), and other tables' bitmaps of customer numbers lose the number;
 *   - quarantined rows holding the raw id as a field value are deleted.
 * Idempotent: run it again after a failure. Derived months are marked first, so a crash half-way leaves
 * them rebuilt at the next start.
 */
export async function eraseCustomer(db: Db, erasure: Erasure): Promise<ErasureOutcome> {
  const erasureId = `er_${randomBytes(8).toString('hex')}`
  const params = { merchantId: erasure.merchantId, customerKey: erasure.customerKey }
  return exclusively(db, async () => {
    const [found] = await select<{ months: string[]; lines: number; numbers: number[] }>(
      db,
      `SELECT groupUniqArray(toString(toStartOfMonth(local_at))) AS months, count() AS lines,
              arrayDistinct(arrayConcat(groupUniqArrayIf(customer_no, customer_no != 0),
                (SELECT groupArray(customer_no) FROM customer_numbers
                 WHERE merchant_id = {merchantId:String} AND customer_key = {customerKey:String}))) AS numbers
       FROM transactions WHERE merchant_id = {merchantId:String} AND customer_key = {customerKey:String}`,
      params,
    )
    const months = found?.months ?? []
    const numbers = found?.numbers ?? []
    if (months.length > 0) {
      await db.client.insert({
        table: 'derived_repairs',
        format: 'JSONEachRow',
        values: months.map((month) => ({
          run_id: erasureId,
          merchant_id: erasure.merchantId,
          local_month: month,
        })),
      })
    }
    const person = { ...params, numbers }
    const touched: string[] = []
    for (const table of await tablesWith(db, personColumns)) {
      // A number means someone only within its merchant: without merchant_id only the pseudonym is sure.
      const scoped = table.columns.includes('merchant_id')
      const matches = [
        table.person.includes('customer_key') ? 'customer_key = {customerKey:String}' : '',
        scoped && table.person.includes('customer_no') ? 'has({numbers:Array(UInt32)}, customer_no)' : '',
      ].filter(Boolean)
      if (matches.length === 0) continue
      const where = `${scoped ? 'merchant_id = {merchantId:String} AND ' : ''}(${matches.join(' OR ')})`
      const [hits] = await select<{ n: number }>(
        db,
        `SELECT count() AS n FROM ${table.name} WHERE ${where}`,
        person,
      )
      if (!hits?.n) continue
      if (table.name !== 'transactions') touched.push(table.name)
      await db.client.command({
        query: table.keyed
          ? `DELETE FROM ${table.name} WHERE ${where}`
          : `ALTER TABLE ${table.name} UPDATE ${table.person.map((c) => `${c} = ${c === 'customer_key' ? "''" : '0'}`).join(', ')} WHERE ${where}`,
        query_params: person,
        clickhouse_settings: {
          log_comment: 'eraseCustomer',
          mutations_sync: '2',
          lightweight_deletes_sync: '2',
        },
      })
    }
    // Bitmaps of customer numbers outside the rollups (segment membership, say) lose the number.
    const rollups: readonly string[] = rollupTables
    for (const table of await tablesWith(db, [], bitmapType)) {
      if (rollups.includes(table.name) || !table.columns.includes('merchant_id') || numbers.length === 0)
        continue
      for (const column of table.bitmaps) {
        const gone = `bitmapBuild(CAST({numbers:Array(UInt32)}, 'Array(UInt32)'))`
        const where = `merchant_id = {merchantId:String} AND bitmapHasAny(${column}, ${gone})`
        const [hits] = await select<{ n: number }>(
          db,
          `SELECT count() AS n FROM ${table.name} WHERE ${where}`,
          person,
        )
        if (!hits?.n) continue
        touched.push(table.name)
        await db.client.command({
          query: `ALTER TABLE ${table.name} UPDATE ${column} = bitmapAndnot(${column}, ${gone}) WHERE ${where}`,
          query_params: person,
          clickhouse_settings: { log_comment: 'eraseCustomer', mutations_sync: '2' },
        })
      }
    }
    const rejects = `FROM ingest_rejects WHERE merchant_id IN ({merchantId:String}, '')
        AND has(mapValues(JSONExtract(raw, 'Map(String, String)')), {customerId:String})`
    const [quarantined] = await select<{ n: number }>(db, `SELECT count() AS n ${rejects}`, {
      ...params,
      customerId: erasure.customerId,
    })
    if (quarantined?.n) {
      touched.push('ingest_rejects')
      await db.client.command({
        query: `DELETE ${rejects}`,
        query_params: { ...params, customerId: erasure.customerId },
        clickhouse_settings: { log_comment: 'eraseCustomer', lightweight_deletes_sync: '2' },
      })
    }
    await rebuildDerived(db, [{ merchantId: erasure.merchantId, localMonths: months }])
    await closeMarks(db, erasureId)
    return {
      erasureId,
      linesAnonymised: Number(found?.lines ?? 0),
      localMonths: months.length,
      tables: [...new Set(touched)].sort(),
    }
  })
}

interface TableColumns {
  name: string
  columns: string[]
  /** Which of the looked-for person columns it has. */
  person: string[]
  /** A person column is part of the sorting, primary or partition key: rows are deleted, not updated. */
  keyed: boolean
  /** Its columns of the bitmap type looked for. */
  bitmaps: string[]
}

/** The stored tables (MergeTree family) of this database with any of `names`, or a column of `type`. */
async function tablesWith(db: Db, names: readonly string[], type = ''): Promise<TableColumns[]> {
  const tables = await select<TableColumns>(
    db,
    `SELECT c.table AS name, groupArray(c.name) AS columns,
            groupArrayIf(c.name, has({names:Array(String)}, c.name)) AS person,
            max(has({names:Array(String)}, c.name)
                AND (c.is_in_sorting_key OR c.is_in_primary_key OR c.is_in_partition_key)) = 1 AS keyed,
            groupArrayIf(c.name, c.type = {type:String}) AS bitmaps
     FROM system.columns AS c
     INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table
     WHERE c.database = currentDatabase() AND t.engine LIKE '%MergeTree' AND NOT t.is_temporary
     GROUP BY name
     HAVING notEmpty(person) OR notEmpty(bitmaps)
     ORDER BY name`,
    { names, type },
  )
  return tables.filter((t) => [t.name, ...t.columns].every((n) => /^\w+$/.test(n)))
}

async function select<T>(db: Db, query: string, params: Record<string, unknown>): Promise<T[]> {
  const result = await db.client.query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: { log_comment: 'eraseCustomer' },
  })
  return result.json<T>()
}
