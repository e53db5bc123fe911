-- Saved marketing segments (issue 9): one logical row per segment, newest updated_at wins, and a row with
-- deleted = 1 removes it (ReplacingMergeTree's is_deleted: FINAL drops it). merchant_id is the first of
-- the segment's merchants (fixed at creation), so a segment's versions share one shard on a cluster.
CREATE TABLE IF NOT EXISTS segments
(
    merchant_id LowCardinality(String),
    segment_id String,
    merchant_ids Array(String),
    name String,
    rules String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3),
    deleted UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(updated_at, deleted)
ORDER BY (merchant_id, segment_id);

-- Members of each saved segment, derived from the lines by server/segments/segmentMembership.ts: per
-- refresh one row per (segment, merchant) with a roaring bitmap of the members' customer numbers at that
-- merchant (customer_numbers, migration 0050) and the segment's member count across its merchants.
-- Readers take each segment's newest refresh only (refreshed_at); a deleted segment gets a last refresh
-- with deleted = 1 and no members. Recomputed whole from the lines, so it cannot drift from them.
CREATE TABLE IF NOT EXISTS segment_members
(
    merchant_id LowCardinality(String),
    segment_id String,
    refreshed_at DateTime64(3, 'UTC'),
    as_of Date,
    size UInt64,
    members AggregateFunction(groupBitmap, UInt32),
    deleted UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(refreshed_at)
ORDER BY (merchant_id, segment_id);
