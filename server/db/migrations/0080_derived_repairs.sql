-- Which local months of which merchants a load run is about to change, written before each insert into
-- transactions (server/db/derivedRepairs.ts). An insert writes the lines and each rollup as separate parts,
-- so a crash or an engine error between them leaves lines the rollups never saw; the re-sent lines then
-- count as duplicates and nothing else would ever add them. A mark stays open (repaired = false) until
-- its run finished or the months were rebuilt from the lines (server/db/rebuildDerived.ts): at start-up
-- every open mark is rebuilt, and a run whose insert failed rebuilds its own before it gives up its turn.
CREATE TABLE IF NOT EXISTS derived_repairs
(
    run_id String,
    merchant_id LowCardinality(String),
    local_month Date,
    repaired Bool DEFAULT false,
    updated_at DateTime64(6, 'UTC') DEFAULT now64(6)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (run_id, merchant_id, local_month);
