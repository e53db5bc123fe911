/**
 * The tables filled from the transaction lines (materialized views and customer numbering): emptied
 * together with `transactions`, or they count lines that are gone. Add a rollup here with its migration.
 */
export const rollupTables = [
  'sales_hourly_exact',
  'sales_store_hourly_exact',
  'sales_product_daily_exact',
  'customers_daily_bitmap',
  'customers_monthly_bitmap',
  'customers_merchant_monthly_bitmap',
] as const

/** segment_members is recomputed from the lines by segment membership refreshes (docs/segments.md). */
export const derivedTables = [
  ...rollupTables,
  'customer_numbers',
  'customer_number_tops',
  'segment_members',
] as const
