-- Sales by store and store-local day, for questions that read days or only totals (summary, sales by day,
-- week, month and weekday in the stores' own zone; summary's interior days in another zone, with the
-- hours at the range's ends from sales_store_hourly). A year of the 50-store bench chain is about 36,500
-- rows here against 293,000-359,000 in the hourly rollup, and reading those rows was most of summary's
-- sales part (docs/benchmarks.md). utc_day is kept apart for the day's exchange rate: a local day spans
-- two UTC days in any zone off UTC. Filled from sales_store_hourly as its rows arrive (like the monthly
-- bitmaps off the daily ones, migration 0052), so a line is aggregated once; rebuildDerived refills it the
-- same way. Every column sums; read with sum(), never FINAL.
CREATE TABLE IF NOT EXISTS sales_store_daily
(
    merchant_id LowCardinality(String),
    local_day Date,
    store_id LowCardinality(String),
    currency LowCardinality(String),
    utc_day Date,
    quantity SimpleAggregateFunction(sum, Decimal(38, 3)),
    amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    tourist_amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    known_origin_amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    baskets SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(local_day)
ORDER BY (merchant_id, local_day, store_id, currency, utc_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_store_daily_mv TO sales_store_daily AS
SELECT
    h.merchant_id AS merchant_id,
    toDate(h.local_hour) AS local_day,
    h.store_id AS store_id,
    h.currency AS currency,
    toDate(h.hour_utc) AS utc_day,
    sum(h.quantity) AS quantity,
    sum(h.amount) AS amount,
    sum(h.tourist_amount) AS tourist_amount,
    sum(h.known_origin_amount) AS known_origin_amount,
    sum(h.baskets) AS baskets
FROM sales_store_hourly AS h
GROUP BY merchant_id, local_day, store_id, currency, utc_day;

-- The days stored before this migration. Emptied first: a start-up killed after the backfill but before
-- the migration was recorded runs it again, and nothing writes while migrations run.
ALTER TABLE sales_store_daily DELETE WHERE true SETTINGS mutations_sync = 2;

INSERT INTO sales_store_daily
SELECT
    h.merchant_id AS merchant_id,
    toDate(h.local_hour) AS local_day,
    h.store_id AS store_id,
    h.currency AS currency,
    toDate(h.hour_utc) AS utc_day,
    sum(h.quantity) AS quantity,
    sum(h.amount) AS amount,
    sum(h.tourist_amount) AS tourist_amount,
    sum(h.known_origin_amount) AS known_origin_amount,
    sum(h.baskets) AS baskets
FROM sales_store_hourly AS h
GROUP BY merchant_id, local_day, store_id, currency, utc_day;
