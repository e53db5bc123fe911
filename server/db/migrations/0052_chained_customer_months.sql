-- The monthly customer bitmaps are filled from the blocks the daily bitmap rollup receives (already one row
-- per store, day and origin) instead of from every inserted line, like the sales rollups of migration 0045:
-- each line is aggregated once. A union of the daily bitmaps of a month is the month's bitmap.

DROP VIEW IF EXISTS customers_monthly_bitmap_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS customers_monthly_bitmap_mv TO customers_monthly_bitmap AS
SELECT
    d.merchant_id AS merchant_id,
    toStartOfMonth(d.local_day) AS local_month,
    d.store_id AS store_id,
    d.home_country AS home_country,
    d.known AS known,
    d.tourist AS tourist,
    groupBitmapMergeState(d.customers) AS customers
FROM customers_daily_bitmap AS d
GROUP BY merchant_id, local_month, store_id, home_country, known, tourist;
