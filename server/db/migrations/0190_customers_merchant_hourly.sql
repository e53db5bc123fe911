-- Distinct customers by merchant, UTC hour and origin, for the ends of a range in another zone than the
-- stores' own: the lines of the store-local days the range cuts through (customerEdges) were read raw
-- (195,675 lines, about 29 ms of the 51 ms customer count of a year in New York time at 100M); the UTC
-- hours they lie in are whole hours of the report range whenever its zone is whole hours off UTC, and a
-- union of bitmaps may overlap, so those hours' bitmaps answer instead. local_day keeps rows to one local
-- month (rebuildDerived replaces a merchant's local months). Only lines of known customers are kept.
CREATE TABLE IF NOT EXISTS customers_merchant_hourly_bitmap
(
    merchant_id LowCardinality(String),
    hour_utc DateTime('UTC'),
    local_day Date,
    home_country LowCardinality(String),
    known Bool,
    tourist Bool,
    customers AggregateFunction(groupBitmap, UInt32)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(local_day)
ORDER BY (merchant_id, hour_utc, local_day, home_country, known, tourist);

CREATE MATERIALIZED VIEW IF NOT EXISTS customers_merchant_hourly_bitmap_mv TO customers_merchant_hourly_bitmap AS
SELECT
    t.merchant_id AS merchant_id,
    toStartOfHour(t.occurred_at) AS hour_utc,
    toDate(t.local_at) AS local_day,
    t.customer_home_country AS home_country,
    t.customer_home_country != '' AND t.store_country != '' AS known,
    known AND t.customer_home_country != t.store_country AS tourist,
    groupBitmapState(t.customer_no) AS customers
FROM transactions AS t
WHERE t.status = 'completed' AND t.customer_no != 0
GROUP BY merchant_id, hour_utc, local_day, home_country, known, tourist;

-- The lines stored before this migration.
INSERT INTO customers_merchant_hourly_bitmap
SELECT t.merchant_id, toStartOfHour(t.occurred_at), toDate(t.local_at), t.customer_home_country,
       t.customer_home_country != '' AND t.store_country != '',
       t.customer_home_country != '' AND t.store_country != '' AND t.customer_home_country != t.store_country,
       groupBitmapState(t.customer_no)
FROM transactions AS t
WHERE t.status = 'completed' AND t.customer_no != 0
GROUP BY ALL;
