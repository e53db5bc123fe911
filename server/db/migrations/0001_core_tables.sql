-- Core tables. Conventions every migration keeps:
--   * one statement per `;`-terminated block, each starting `CREATE TABLE IF NOT EXISTS <name>` (or ALTER/MV),
--     so the cluster rewrite in clusterDdl.ts can turn it into ON CLUSTER + Replicated*/Distributed DDL;
--   * tenant tables order by merchant_id first; reference data (weather, FX) is shared by all tenants;
--   * timestamps are UTC; money is Decimal in the row's own currency.

CREATE TABLE IF NOT EXISTS merchants
(
    merchant_id LowCardinality(String),
    name String,
    currency LowCardinality(String),
    timezone LowCardinality(String),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY merchant_id;

CREATE TABLE IF NOT EXISTS stores
(
    merchant_id LowCardinality(String),
    store_id String,
    name String,
    lat Float64,
    lon Float64,
    timezone LowCardinality(String),
    country LowCardinality(String),
    city String,
    currency LowCardinality(String),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (merchant_id, store_id);

-- One row per line item. occurred_at is the instant (UTC); local_at is the store's wall-clock time of the
-- same instant, stored zone-less, so local buckets (hour of day, weekday, local date) need no per-row zone.
CREATE TABLE IF NOT EXISTS transactions
(
    merchant_id LowCardinality(String),
    store_id LowCardinality(String),
    transaction_id String,
    line_no UInt32 DEFAULT 1,
    occurred_at DateTime64(3, 'UTC'),
    local_at DateTime('UTC'),
    product_id String,
    product_name String,
    category LowCardinality(String),
    product_type LowCardinality(String),
    quantity Decimal(18, 3),
    unit_price Decimal(18, 4),
    amount Decimal(18, 4),
    currency LowCardinality(String),
    status Enum8('completed' = 1, 'refunded' = 2, 'voided' = 3) DEFAULT 'completed',
    payment_method LowCardinality(String),
    wallet LowCardinality(String),
    customer_key String,
    customer_home_country LowCardinality(String),
    store_country LowCardinality(String),
    captured_offline Bool DEFAULT false,
    batch_id String,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (merchant_id, occurred_at, store_id, transaction_id, line_no);

CREATE TABLE IF NOT EXISTS weather_observations
(
    station_id LowCardinality(String),
    lat Float64,
    lon Float64,
    observed_at DateTime('UTC'),
    temperature_c Nullable(Float32),
    precipitation_mm Float32 DEFAULT 0,
    snowfall_cm Float32 DEFAULT 0,
    condition LowCardinality(String),
    batch_id String,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
ORDER BY (station_id, observed_at);

CREATE TABLE IF NOT EXISTS fx_rates
(
    date Date,
    base LowCardinality(String),
    quote LowCardinality(String),
    rate Decimal(38, 10),
    batch_id String,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
ORDER BY (base, quote, date);

-- The ledger: one logical row per batch, updated in place by newer versions (updated_at).
-- scope is the merchant a merchant key loaded for, or '' for an admin load.
CREATE TABLE IF NOT EXISTS ingest_batches
(
    scope LowCardinality(String),
    batch_id String,
    kind LowCardinality(String),
    format LowCardinality(String),
    source String,
    content_hash String,
    status Enum8('running' = 1, 'done' = 2, 'failed' = 3),
    received UInt64,
    inserted UInt64,
    duplicates UInt64,
    rejected UInt64,
    error String,
    started_at DateTime64(3, 'UTC'),
    finished_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (scope, batch_id);

-- Quarantine: every rejected row with its reason and raw text (card numbers already masked).
CREATE TABLE IF NOT EXISTS ingest_rejects
(
    scope LowCardinality(String),
    batch_id String,
    line_no UInt64,
    merchant_id String,
    reason LowCardinality(String),
    field String,
    message String,
    raw String,
    rejected_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (scope, batch_id, line_no);

-- API keys: only the SHA-256 of the secret is stored. merchant_ids lists a marketer's merchants.
CREATE TABLE IF NOT EXISTS api_keys
(
    merchant_id LowCardinality(String),
    key_id String,
    key_hash String,
    role Enum8('admin' = 1, 'merchant' = 2, 'marketer' = 3, 'wallet' = 4),
    merchant_ids Array(String),
    name String,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    revoked_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (merchant_id, key_id);
