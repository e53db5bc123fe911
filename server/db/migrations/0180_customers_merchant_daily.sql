-- Distinct customers by merchant, local day and origin, for questions over all stores whose range is not
-- made of whole months (a report in another zone than the stores' own: its first and last months are
-- partial). Such a year merged one daily bitmap per store, origin, currency and UTC day for about 60 days
-- (about 30,000 bitmaps for the 50-store bench chain), now one per day and origin. Filled from
-- customers_daily_bitmap as its rows arrive, like customers_monthly_bitmap (migration 0052).
CREATE TABLE IF NOT EXISTS customers_merchant_daily_bitmap
(
    merchant_id LowCardinality(String),
    local_day Date,
    home_country LowCardinality(String),
    known Bool,
    tourist Bool,
    customers AggregateFunction(groupBitmap, UInt32)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(local_day)
ORDER BY (merchant_id, local_day, home_country, known, tourist);

CREATE MATERIALIZED VIEW IF NOT EXISTS customers_merchant_daily_bitmap_mv TO customers_merchant_daily_bitmap AS
SELECT
    d.merchant_id AS merchant_id,
    d.local_day AS local_day,
    d.home_country AS home_country,
    d.known AS known,
    d.tourist AS tourist,
    groupBitmapMergeState(d.customers) AS customers
FROM customers_daily_bitmap AS d
GROUP BY merchant_id, local_day, home_country, known, tourist;

-- The days stored before this migration.
INSERT INTO customers_merchant_daily_bitmap
SELECT merchant_id, local_day, home_country, known, tourist, groupBitmapMergeState(customers)
FROM customers_daily_bitmap
GROUP BY merchant_id, local_day, home_country, known, tourist;
