-- Each customer's completed sales at a merchant by local day, store, origin, wallet, payment method,
-- currency and UTC day: what a segment preview's spend, visits, recency, store, wallet, payment-method,
-- home-country, tourist/local and spend-rank rules need,
-- in a few times fewer rows than the lines and without the customer key strings (docs/segments.md).
-- customer_hash is cityHash64(customer_key), the segment's person across merchants; currency and utc_day
-- keep apart the amounts that convert at different rates. Rows are summed or maxed by any query that reads
-- them (grouped by customer), so rows not yet merged never change an answer and no FINAL is needed.
CREATE TABLE IF NOT EXISTS customer_days
(
    merchant_id LowCardinality(String),
    local_day Date,
    customer_hash UInt64,
    customer_no UInt32,
    store_id LowCardinality(String),
    home_country LowCardinality(String),
    store_country LowCardinality(String),
    wallet LowCardinality(String),
    payment_method LowCardinality(String),
    currency LowCardinality(String),
    utc_day Date,
    last_local_at SimpleAggregateFunction(max, DateTime('UTC')),
    amount SimpleAggregateFunction(sum, Decimal(38, 4))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(local_day)
ORDER BY (merchant_id, local_day, customer_hash, customer_no, store_id, home_country, store_country, wallet, payment_method, currency, utc_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS customer_days_mv TO customer_days AS
SELECT
    t.merchant_id AS merchant_id,
    toDate(t.local_at) AS local_day,
    cityHash64(t.customer_key) AS customer_hash,
    t.customer_no AS customer_no,
    t.store_id AS store_id,
    t.customer_home_country AS home_country,
    t.store_country AS store_country,
    t.wallet AS wallet,
    t.payment_method AS payment_method,
    t.currency AS currency,
    toDate(t.occurred_at, 'UTC') AS utc_day,
    max(t.local_at) AS last_local_at,
    sum(toDecimal128(t.amount, 4)) AS amount
FROM transactions AS t
WHERE t.status = 'completed' AND t.customer_key != ''
GROUP BY merchant_id, local_day, customer_hash, customer_no, store_id, home_country, store_country, wallet, payment_method, currency, utc_day;

-- Lines stored before this migration: the view only sees inserts after it (start-up runs migrations
-- before anything writes).
INSERT INTO customer_days
SELECT
    t.merchant_id AS merchant_id,
    toDate(t.local_at) AS local_day,
    cityHash64(t.customer_key) AS customer_hash,
    t.customer_no AS customer_no,
    t.store_id AS store_id,
    t.customer_home_country AS home_country,
    t.store_country AS store_country,
    t.wallet AS wallet,
    t.payment_method AS payment_method,
    t.currency AS currency,
    toDate(t.occurred_at, 'UTC') AS utc_day,
    max(t.local_at) AS last_local_at,
    sum(toDecimal128(t.amount, 4)) AS amount
FROM transactions AS t
WHERE t.status = 'completed' AND t.customer_key != ''
GROUP BY merchant_id, local_day, customer_hash, customer_no, store_id, home_country, store_country, wallet, payment_method, currency, utc_day;
