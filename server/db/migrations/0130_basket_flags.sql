-- Baskets counted by flags on the lines instead of arrays of hashes (docs/insights.md, "Basket flags").
-- A basket is the lines of one (merchant_id, store_id, transaction_id, status): status is part of it because
-- reports count completed lines only, and a basket whose first line was refunded must still count once
-- among its completed lines. Of the stored lines of a basket exactly one has basket_first = 1, and of those
-- of a basket and product (… product_id) exactly one has product_first = 1, so the baskets of any set of
-- whole baskets are sum(basket_first): additive across parts, inserts and rollup rows, no arrays, no FINAL.
-- server/db/basketFlags.ts sets them on every insert, against the lines already stored.
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS basket_first UInt8 DEFAULT 0;

ALTER TABLE transactions ADD COLUMN IF NOT EXISTS product_first UInt8 DEFAULT 0;

-- What an insert reads to learn whether any line of a chunk's baskets is stored already (like key_hash).
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS basket_hash UInt64 MATERIALIZED cityHash64(store_id, transaction_id);

ALTER TABLE transactions MATERIALIZE COLUMN basket_hash SETTINGS mutations_sync = 2;

-- Lines stored before this migration: the lowest line_no of each basket (and of each basket and product)
-- is its first line. (merchant_id, transaction_id, line_no) is the idempotency key, so that line is one.
ALTER TABLE transactions UPDATE
    basket_first = (merchant_id, store_id, transaction_id, status, line_no) IN (
        SELECT merchant_id, store_id, transaction_id, status, min(line_no) FROM transactions
        GROUP BY merchant_id, store_id, transaction_id, status),
    product_first = (merchant_id, store_id, transaction_id, status, product_id, line_no) IN (
        SELECT merchant_id, store_id, transaction_id, status, product_id, min(line_no) FROM transactions
        GROUP BY merchant_id, store_id, transaction_id, status, product_id)
WHERE true SETTINGS mutations_sync = 2;

-- The rollups of hash arrays are replaced by the ones below.
DROP VIEW IF EXISTS sales_store_hourly_exact_mv;

DROP VIEW IF EXISTS sales_product_daily_exact_mv;

DROP VIEW IF EXISTS sales_hourly_exact_mv;

DROP TABLE IF EXISTS sales_store_hourly_exact;

DROP TABLE IF EXISTS sales_product_daily_exact;

DROP TABLE IF EXISTS sales_hourly_exact;

-- By store and hour: summary, sales by time and by weather. Every column sums; read with sum(), never FINAL.
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
    baskets SimpleAggregateFunction(sum, UInt64)
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
    sum(toUInt64(t.basket_first)) AS baskets
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, hour_utc, store_id, currency, local_hour;

-- By store-local day and product over all stores: sales by product in the stores' own zone. baskets counts
-- the baskets holding the product. Questions by store, category or product, or in another zone, read lines.
CREATE TABLE IF NOT EXISTS sales_product_daily
(
    merchant_id LowCardinality(String),
    local_day Date,
    product_id String,
    category LowCardinality(String),
    currency LowCardinality(String),
    utc_day Date,
    quantity SimpleAggregateFunction(sum, Decimal(38, 3)),
    amount SimpleAggregateFunction(sum, Decimal(38, 4)),
    baskets SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(local_day)
ORDER BY (merchant_id, local_day, product_id, category, currency, utc_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_product_daily_mv TO sales_product_daily AS
SELECT
    t.merchant_id AS merchant_id,
    toDate(t.local_at) AS local_day,
    t.product_id AS product_id,
    t.category AS category,
    t.currency AS currency,
    toDate(t.occurred_at, 'UTC') AS utc_day,
    sum(toDecimal128(t.quantity, 3)) AS quantity,
    sum(toDecimal128(t.amount, 4)) AS amount,
    sum(toUInt64(t.product_first)) AS baskets
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, local_day, product_id, category, currency, utc_day;

-- Each product's name on its latest completed line, whatever source answers sales by product.
CREATE TABLE IF NOT EXISTS product_names
(
    merchant_id LowCardinality(String),
    product_id String,
    name AggregateFunction(argMax, String, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (merchant_id, product_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS product_names_mv TO product_names AS
SELECT t.merchant_id AS merchant_id, t.product_id AS product_id, argMaxState(t.product_name, t.occurred_at) AS name
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, product_id;

-- Lines stored before this migration (start-up runs migrations before anything writes).
INSERT INTO sales_store_hourly
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
    sum(toUInt64(t.basket_first)) AS baskets
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, hour_utc, store_id, currency, local_hour;

INSERT INTO sales_product_daily
SELECT
    t.merchant_id AS merchant_id,
    toDate(t.local_at) AS local_day,
    t.product_id AS product_id,
    t.category AS category,
    t.currency AS currency,
    toDate(t.occurred_at, 'UTC') AS utc_day,
    sum(toDecimal128(t.quantity, 3)) AS quantity,
    sum(toDecimal128(t.amount, 4)) AS amount,
    sum(toUInt64(t.product_first)) AS baskets
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, local_day, product_id, category, currency, utc_day;

INSERT INTO product_names
SELECT t.merchant_id AS merchant_id, t.product_id AS product_id, argMaxState(t.product_name, t.occurred_at) AS name
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, product_id;
