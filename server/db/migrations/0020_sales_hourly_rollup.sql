-- Hourly sales rollup behind server/queries/salesSource.ts (the one place that decides which table answers).
-- One row per (merchant, UTC hour, store, product, category, currency, store-local hour) of completed lines.
-- Both hours are kept: local_hour serves reports in the stores' own zone (DST included, and half-hour
-- zones, where one UTC hour spans two local hours); hour_utc serves FX days, weather and overridden zones.
-- Aggregate states (not plain sums) for transactions and product names, so lines of one basket arriving in
-- different inserts (late data) still count once, and merges give the same answer in any arrival order.
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
    transactions AggregateFunction(uniqExact, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour_utc)
ORDER BY (merchant_id, hour_utc, store_id, product_id, category, currency, local_hour);

-- Refunded and voided lines never enter the rollup: they leave revenue, transactions and items.
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
    uniqExactState(t.transaction_id) AS transactions
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, hour_utc, store_id, product_id, category, currency, local_hour;
