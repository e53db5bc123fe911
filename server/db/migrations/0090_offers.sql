-- Offers and their events (issue 10). An offer row is versioned by updated_at; a deleted offer keeps its row
-- with status 'ended' so its events and performance stay readable.

CREATE TABLE IF NOT EXISTS offers
(
    merchant_id LowCardinality(String),
    offer_id String,
    name String,
    text String,
    value_kind LowCardinality(String),
    value_amount Decimal(18, 4),
    value_currency LowCardinality(String),
    store_ids Array(String),
    radius_m UInt32,
    segment_id String,
    schedule_from Date,
    schedule_to Date,
    schedule_days Array(UInt8),
    hours_from String,
    hours_to String,
    cap_count UInt32,
    cap_days UInt16,
    daily_budget UInt64,
    holdout_percent UInt8,
    attribution_days UInt8,
    status Enum8('active' = 1, 'paused' = 2, 'ended' = 3),
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (merchant_id, offer_id);

-- What wallets were served and what their users did. customer_key is the keyed-HMAC pseudonym of the
-- ingested lines; cell is the position coarsened to a 0.01 degree cell (about 1 km), never finer;
-- local_date is the serving store's local day (daily budgets). A repeated event_id collapses on merge.
CREATE TABLE IF NOT EXISTS offer_events
(
    merchant_id LowCardinality(String),
    offer_id String,
    event_id String,
    type Enum8('impression' = 1, 'would_have_seen' = 2, 'opened' = 3, 'dismissed' = 4, 'redeemed' = 5),
    customer_key String,
    store_id String,
    cell String,
    local_date Date,
    at DateTime64(3, 'UTC'),
    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (merchant_id, offer_id, event_id);
