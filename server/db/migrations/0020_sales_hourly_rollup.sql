-- Hourly sales rollups behind server/queries/salesSource.ts (the one place that decides which table answers).
-- Both hours are kept: local_hour serves reports in the stores' own zone (DST included, and half-hour zones,
-- where one UTC hour spans two local hours); hour_utc serves FX days, weather and overriding zones.
-- Only completed lines enter: refunded and voided lines leave revenue, transactions and items.
-- `transactions` counts distinct baskets per insert: exact as long as the lines of one basket that fall in
-- one row's key arrive in one insert (the ingestion pipeline writes a basket's lines in one batch).

-- By store, hour and product: sales by product, and any question filtered by product or category.
CREATE TABLE IF NOT EXISTS sales_hourly
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
    transactions SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour_utc)
ORDER BY (merchant_id, hour_utc, store_id, product_id, category, currency, local_hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_hourly_mv TO sales_hourly AS
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
    uniqExact(t.transaction_id) AS transactions
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, hour_utc, store_id, product_id, category, currency, local_hour;

-- By store and hour only: a few thousand rows per store and year, for every question not about products.
CREATE TABLE IF NOT EXISTS sales_store_hourly
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
    transactions SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour_utc)
ORDER BY (merchant_id, hour_utc, store_id, currency, local_hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_store_hourly_mv TO sales_store_hourly AS
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
    uniqExact(t.transaction_id) AS transactions
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, hour_utc, store_id, currency, local_hour;
