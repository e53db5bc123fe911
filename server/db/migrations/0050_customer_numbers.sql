-- Dense customer numbers: each merchant's known customers (customer_key != '') are numbered 1, 2, 3, ... in
-- the order they first arrive, one number per (merchant, customer_key), never reused. Every insert into
-- transactions stores the line's number in customer_no (0 = unknown customer, customer_key = ''), so
-- distinct customers can be kept as roaring bitmaps of 32-bit numbers instead of sets of 64-bit hashes:
-- merging a year of daily bitmaps takes milliseconds where merging hash sets took seconds at 100M lines.
-- Numbers are assigned by server/db/numberCustomers.ts (see docs/insights.md, "Customer numbers").
CREATE TABLE IF NOT EXISTS customer_numbers
(
    merchant_id LowCardinality(String),
    customer_key String,
    customer_no UInt32
)
ENGINE = MergeTree
ORDER BY (merchant_id, customer_key);

-- Each merchant's highest number, so numbering a chunk reads one row per merchant, not every number.
CREATE TABLE IF NOT EXISTS customer_number_tops
(
    merchant_id LowCardinality(String),
    top SimpleAggregateFunction(max, UInt32)
)
ENGINE = AggregatingMergeTree
ORDER BY merchant_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS customer_number_tops_mv TO customer_number_tops AS
SELECT n.merchant_id AS merchant_id, max(n.customer_no) AS top
FROM customer_numbers AS n
GROUP BY merchant_id;

ALTER TABLE transactions ADD COLUMN IF NOT EXISTS customer_no UInt32 DEFAULT 0;

-- Distinct customers by store, local date and origin (the dimensions of customers_daily, which this
-- replaces): a roaring bitmap of the known customers' numbers, and the revenue of every completed line of
-- the group. known: home and store country both known; tourist: they differ (false when unknown). utc_day
-- keeps the FX day (a local day spans two UTC dates). Fills from inserts made after this migration ran.
CREATE TABLE IF NOT EXISTS customers_daily_bitmap
(
    merchant_id LowCardinality(String),
    local_day Date,
    store_id LowCardinality(String),
    home_country LowCardinality(String),
    known Bool,
    tourist Bool,
    currency LowCardinality(String),
    utc_day Date,
    customers AggregateFunction(groupBitmap, UInt32),
    amount SimpleAggregateFunction(sum, Decimal(38, 4))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(local_day)
ORDER BY (merchant_id, local_day, store_id, home_country, known, tourist, currency, utc_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS customers_daily_bitmap_mv TO customers_daily_bitmap AS
SELECT
    t.merchant_id AS merchant_id,
    toDate(t.local_at) AS local_day,
    t.store_id AS store_id,
    t.customer_home_country AS home_country,
    t.customer_home_country != '' AND t.store_country != '' AS known,
    known AND t.customer_home_country != t.store_country AS tourist,
    t.currency AS currency,
    toDate(t.occurred_at, 'UTC') AS utc_day,
    groupBitmapStateIf(t.customer_no, t.customer_no != 0) AS customers,
    sum(toDecimal128(t.amount, 4)) AS amount
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, local_day, store_id, home_country, known, tourist, currency, utc_day;


-- The same customers by store, local month and origin: a year's question merges a dozen bitmaps per store
-- and origin instead of one per day (days outside whole months still come from customers_daily_bitmap).
-- Bitmaps of a few customers per 65,536-number container cost more to merge than their size suggests.
CREATE TABLE IF NOT EXISTS customers_monthly_bitmap
(
    merchant_id LowCardinality(String),
    local_month Date,
    store_id LowCardinality(String),
    home_country LowCardinality(String),
    known Bool,
    tourist Bool,
    customers AggregateFunction(groupBitmap, UInt32)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYear(local_month)
ORDER BY (merchant_id, local_month, store_id, home_country, known, tourist);

CREATE MATERIALIZED VIEW IF NOT EXISTS customers_monthly_bitmap_mv TO customers_monthly_bitmap AS
SELECT
    t.merchant_id AS merchant_id,
    toStartOfMonth(t.local_at) AS local_month,
    t.store_id AS store_id,
    t.customer_home_country AS home_country,
    t.customer_home_country != '' AND t.store_country != '' AS known,
    known AND t.customer_home_country != t.store_country AS tourist,
    groupBitmapStateIf(t.customer_no, t.customer_no != 0) AS customers
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, local_month, store_id, home_country, known, tourist;

-- customers_daily (migration 0020) is replaced by the two bitmap rollups.
DROP VIEW IF EXISTS customers_daily_mv;

DROP TABLE IF EXISTS customers_daily;
