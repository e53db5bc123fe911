-- Daily product rollup for sales by product in the stores' own zone: a year of a store's products is a few
-- tens of thousands of rows however many lines were sold. Keyed by the store-local date (range filters)
-- and the UTC date (FX days: a local day spans two UTC dates). Same rules as 0020: completed lines only,
-- `transactions` counts distinct baskets per insert.
CREATE TABLE IF NOT EXISTS sales_product_daily
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
    transactions SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(local_day)
ORDER BY (merchant_id, local_day, store_id, product_id, category, currency, utc_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_product_daily_mv TO sales_product_daily AS
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
    uniqExact(t.transaction_id) AS transactions
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, local_day, store_id, product_id, category, currency, utc_day;
