/**
 * The tables filled from the transaction lines (materialized views and customer numbering): emptied
 * together with `transactions`, or they count lines that are gone. Add a rollup here with its migration.
 */
export const rollupTables = [
  'sales_store_hourly',
  'sales_store_daily',
  'sales_product_daily',
  'product_names',
  'customers_daily_bitmap',
  'customers_monthly_bitmap',
  'merchant_customers_monthly',
  'merchant_customers_daily',
  'merchant_customers_hourly',
  'customer_days',
] as const

/** segment_members is recomputed from the lines by segment membership refreshes (docs/segments.md). */
export const derivedTables = [
  ...rollupTables,
  'customer_numbers',
  'customer_number_tops',
  'segment_members',
] as const

/**
 * Each rollup's column of the stores' wall clock (local hour, day or month). Every rollup that sums or
 * unites groups by one, so a rollup row of a merchant's local month is made only from lines of that local
 * month, and rebuildDerived can replace exactly the rows of chosen local months. null: the rollup's rows
 * hold states that adding the same lines again leaves unchanged (product_names keeps each product's
 * latest name), so a rebuild adds the months' rows again without deleting any.
 */
export const rollupLocalTime: Record<(typeof rollupTables)[number], string | null> = {
  sales_store_hourly: 'local_hour',
  sales_store_daily: 'local_day',
  sales_product_daily: 'local_day',
  product_names: null,
  customers_daily_bitmap: 'local_day',
  customers_monthly_bitmap: 'local_month',
  merchant_customers_monthly: 'local_month',
  merchant_customers_daily: 'local_day',
  merchant_customers_hourly: 'local_day',
  customer_days: 'local_day',
}
