-- Audit log of administrative actions (docs/audit.md): who did what to what, and when. key_id is the acting
-- API key's id, never its secret ('cli' for the command line, 'startup' for the admin key seeded at start-up).
-- merchant_id is the merchant the action concerns ('' when it concerns no single merchant). details is a
-- small JSON object that never holds a raw customer id. Rows are only ever appended; `at` is to the
-- microsecond so entries written one after another keep their order.
CREATE TABLE IF NOT EXISTS audit_log
(
    merchant_id LowCardinality(String),
    at DateTime64(6, 'UTC') DEFAULT now64(6),
    entry_id UUID DEFAULT generateUUIDv4(),
    key_id String,
    action LowCardinality(String),
    target String,
    details String
)
ENGINE = MergeTree
ORDER BY (merchant_id, at, entry_id);
