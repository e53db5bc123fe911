-- Distinct customers by merchant, local month and origin, for questions over all stores: a year's
-- question merges a dozen bitmaps per origin instead of one per store and month (at 100M lines merging the
-- large merchant's 2,160 store-month bitmaps took 33 ms in all and 70 ms by origin). Filled from
-- customers_monthly_bitmap as its rows arrive, so inserts into transactions feed no extra view.
CREATE TABLE IF NOT EXISTS customers_merchant_monthly_bitmap
(
    merchant_id LowCardinality(String),
    local_month Date,
    home_country LowCardinality(String),
    known Bool,
    tourist Bool,
    customers AggregateFunction(groupBitmap, UInt32)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(local_month)
ORDER BY (merchant_id, local_month, home_country, known, tourist);

CREATE MATERIALIZED VIEW IF NOT EXISTS customers_merchant_monthly_bitmap_mv TO customers_merchant_monthly_bitmap AS
SELECT
    m.merchant_id AS merchant_id,
    m.local_month AS local_month,
    m.home_country AS home_country,
    m.known AS known,
    m.tourist AS tourist,
    groupBitmapMergeState(m.customers) AS customers
FROM customers_monthly_bitmap AS m
GROUP BY merchant_id, local_month, home_country, known, tourist;
