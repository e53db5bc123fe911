import { randomBytes } from 'node:crypto'
import type { Db } from '../../server/db/createDb.ts'
import { insertStagedTransactions } from '../../server/db/insertStagedTransactions.ts'

export interface LineInput {
  store: string
  tx: string
  line?: number
  /** UTC instant, 'YYYY-MM-DD HH:MM:SS'. */
  at: string
  /** Store wall clock of the same instant. */
  local: string
  product: string
  name?: string
  category?: string
  qty: string
  amount: string
  currency?: string
  status?: 'completed' | 'refunded' | 'voided'
  customer?: string
  home?: string
  storeCountry?: string
  merchant?: string
  payment?: string
  wallet?: string
}

/**
 * Inserts transaction lines exactly as the ingestion pipeline stores them (one insert per call), new
 * customers numbered first.
 */
export async function insertLines(db: Db, lines: LineInput[]): Promise<void> {
  if (lines.length === 0) return
  const stage = `lines_${randomBytes(6).toString('hex')}`
  await db.client.command({ query: `CREATE TABLE ${stage} AS transactions ENGINE = Memory` })
  const values = lines.map((l) => ({
    merchant_id: l.merchant ?? 'cafe',
    store_id: l.store,
    transaction_id: l.tx,
    line_no: l.line ?? 1,
    occurred_at: l.at,
    local_at: l.local,
    product_id: l.product,
    product_name: l.name ?? l.product,
    category: l.category ?? 'Coffee',
    product_type: '',
    quantity: l.qty,
    unit_price: l.amount,
    amount: l.amount,
    currency: l.currency ?? 'USD',
    status: l.status ?? 'completed',
    payment_method: l.payment ?? 'card',
    wallet: l.wallet ?? '',
    customer_key: l.customer ?? '',
    customer_home_country: l.home ?? '',
    store_country: l.storeCountry ?? 'US',
    batch_id: 'test',
  }))
  try {
    await db.client.insert({ table: stage, format: 'JSONEachRow', values })
    await insertStagedTransactions(db, stage, Object.keys(values[0] ?? {}))
  } finally {
    await db.client.command({ query: `DROP TABLE ${stage}` })
  }
}
