-- Pre-aggregated sales, read through pickSalesSource / pickCustomerSource (server/queries/salesSource.ts).
-- `transactions` is the set of baskets (64-bit hashes of transaction_id, as the raw lines count them) as an
-- array that merges by union, so a key's row holds each basket once however its lines arrived (split over
-- inserts, chunks or batches). Queries read with FINAL (rows of a key still in separate parts are united at
-- read time) and count length(transactions). Completed lines only. Like every rollup they fill from inserts
-- made after this migration ran (a fresh store runs every migration before any data).

-- By store, hour and product: sales by product, and any question filtered by product or category.
CREATE TABLE IF NOT EXISTS sales_hourly_exact
(
    merchant_id LowCardinality(String),
    hour_utc DateTime('UTC'),
    store_id LowCardinality(String),
    product_id String,
    category LowCardinality(String),
    currency LowCardinality(String),
    local_hour DateTime('UTC'),
    product_name AggregateFunction(argMax, String, DateTime64(3, 'UTC')),
    quantity SimpleAggregateFunction(sum, Decimal(38, 3)),
    amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    tourist_amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    known_origin_amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    transactions SimpleAggregateFunction(groupUniqArrayArray, Array(UInt64))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour_utc)
ORDER BY (merchant_id, hour_utc, store_id, product_id, category, currency, local_hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_hourly_exact_mv TO sales_hourly_exact AS
SELECT
    t.merchant_id AS merchant_id,
    toDateTime(toStartOfHour(t.occurred_at), 'UTC') AS hour_utc,
    t.store_id AS store_id,
    t.product_id AS product_id,
    t.category AS category,
    t.currency AS currency,
    toStartOfHour(t.local_at) AS local_hour,
    argMaxState(t.product_name, t.occurred_at) AS product_name,
    sum(toDecimal128(t.quantity, 3)) AS quantity,
    sum(toDecimal128(t.amount, 4)) AS amount,
    sumIf(toDecimal128(t.amount, 4),
          t.customer_home_country != '' AND t.store_country != '' AND t.customer_home_country != t.store_country) AS tourist_amount,
    sumIf(toDecimal128(t.amount, 4), t.customer_home_country != '' AND t.store_country != '') AS known_origin_amount,
    groupUniqArray(cityHash64(t.transaction_id)) AS transactions
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, hour_utc, store_id, product_id, category, currency, local_hour;

-- By store and hour only: a few thousand rows per store and year, for every question not about products.
CREATE TABLE IF NOT EXISTS sales_store_hourly_exact
(
    merchant_id LowCardinality(String),
    hour_utc DateTime('UTC'),
    store_id LowCardinality(String),
    currency LowCardinality(String),
    local_hour DateTime('UTC'),
    quantity SimpleAggregateFunction(sum, Decimal(38, 3)),
    amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    tourist_amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    known_origin_amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    transactions SimpleAggregateFunction(groupUniqArrayArray, Array(UInt64))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour_utc)
ORDER BY (merchant_id, hour_utc, store_id, currency, local_hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_store_hourly_exact_mv TO sales_store_hourly_exact AS
SELECT
    t.merchant_id AS merchant_id,
    toDateTime(toStartOfHour(t.occurred_at), 'UTC') AS hour_utc,
    t.store_id AS store_id,
    t.currency AS currency,
    toStartOfHour(t.local_at) AS local_hour,
    sum(toDecimal128(t.quantity, 3)) AS quantity,
    sum(toDecimal128(t.amount, 4)) AS amount,
    sumIf(toDecimal128(t.amount, 4),
          t.customer_home_country != '' AND t.store_country != '' AND t.customer_home_country != t.store_country) AS tourist_amount,
    sumIf(toDecimal128(t.amount, 4), t.customer_home_country != '' AND t.store_country != '') AS known_origin_amount,
    groupUniqArray(cityHash64(t.transaction_id)) AS transactions
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, hour_utc, store_id, currency, local_hour;

CREATE TABLE IF NOT EXISTS sales_product_daily_exact
(
    merchant_id LowCardinality(String),
    local_day Date,
    store_id LowCardinality(String),
    product_id String,
    category LowCardinality(String),
    currency LowCardinality(String),
    utc_day Date,
    product_name AggregateFunction(argMax, String, DateTime64(3, 'UTC')),
    quantity SimpleAggregateFunction(sum, Decimal(38, 3)),
    amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    transactions SimpleAggregateFunction(groupUniqArrayArray, Array(UInt64))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(local_day)
ORDER BY (merchant_id, local_day, store_id, product_id, category, currency, utc_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_product_daily_exact_mv TO sales_product_daily_exact AS
SELECT
    t.merchant_id AS merchant_id,
    toDate(t.local_at) AS local_day,
    t.store_id AS store_id,
    t.product_id AS product_id,
    t.category AS category,
    t.currency AS currency,
    toDate(t.occurred_at, 'UTC') AS utc_day,
    argMaxState(t.product_name, t.occurred_at) AS product_name,
    sum(toDecimal128(t.quantity, 3)) AS quantity,
    sum(toDecimal128(t.amount, 4)) AS amount,
    groupUniqArray(cityHash64(t.transaction_id)) AS transactions
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, local_day, store_id, product_id, category, currency, utc_day;

-- Distinct customers by store, local date and origin, for the summary's customers and customer origins in
-- the stores' own zone: a mergeable set of 64-bit hashes of the known pseudonyms (customer_key != ''), and
-- the revenue of every completed line of the group. known: home and store country both known; tourist:
-- they differ (false when unknown). utc_day keeps the FX day (a local day spans two UTC dates).
CREATE TABLE IF NOT EXISTS customers_daily
(
    merchant_id LowCardinality(String),
    local_day Date,
    store_id LowCardinality(String),
    home_country LowCardinality(String),
    known Bool,
    tourist Bool,
    currency LowCardinality(String),
    utc_day Date,
    customers AggregateFunction(uniqExact, UInt64),
    amount SimpleAggregateFunction(sum, Decimal(38, 4))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(local_day)
ORDER BY (merchant_id, local_day, store_id, home_country, known, tourist, currency, utc_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS customers_daily_mv TO customers_daily AS
SELECT
    t.merchant_id AS merchant_id,
    toDate(t.local_at) AS local_day,
    t.store_id AS store_id,
    t.customer_home_country AS home_country,
    t.customer_home_country != '' AND t.store_country != '' AS known,
    known AND t.customer_home_country != t.store_country AS tourist,
    t.currency AS currency,
    toDate(t.occurred_at, 'UTC') AS utc_day,
    uniqExactStateIf(cityHash64(t.customer_key), t.customer_key != '') AS customers,
    sum(toDecimal128(t.amount, 4)) AS amount
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, local_day, store_id, home_country, known, tourist, currency, utc_day;
