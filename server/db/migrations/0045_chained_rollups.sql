-- The store and daily product rollups are filled from the blocks the hourly product rollup receives, not
-- from every inserted line: each line is then aggregated once (by store, hour and product), and the two
-- coarser rollups re-aggregate those already grouped rows. Materialized views run single-threaded per
-- inserted block, so this took about a third off every ingest (docs/benchmarks.md). The answers are the
-- same: sums add up and basket arrays union, whichever rows they pass through.

DROP VIEW IF EXISTS sales_store_hourly_exact_mv;

DROP VIEW IF EXISTS sales_product_daily_exact_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_store_hourly_exact_mv TO sales_store_hourly_exact AS
SELECT
    h.merchant_id AS merchant_id,
    h.hour_utc AS hour_utc,
    h.store_id AS store_id,
    h.currency AS currency,
    h.local_hour AS local_hour,
    sum(h.quantity) AS quantity,
    sum(h.amount) AS amount,
    sum(h.tourist_amount) AS tourist_amount,
    sum(h.known_origin_amount) AS known_origin_amount,
    groupUniqArrayArray(h.transactions) AS transactions
FROM sales_hourly_exact AS h
GROUP BY merchant_id, hour_utc, store_id, currency, local_hour;

CREATE MATERIALIZED VIEW IF NOT EXISTS sales_product_daily_exact_mv TO sales_product_daily_exact AS
SELECT
    h.merchant_id AS merchant_id,
    toDate(h.local_hour) AS local_day,
    h.store_id AS store_id,
    h.product_id AS product_id,
    h.category AS category,
    h.currency AS currency,
    toDate(h.hour_utc) AS utc_day,
    argMaxMergeState(h.product_name) AS product_name,
    sum(h.quantity) AS quantity,
    sum(h.amount) AS amount,
    groupUniqArrayArray(h.transactions) AS transactions
FROM sales_hourly_exact AS h
GROUP BY merchant_id, local_day, store_id, product_id, category, currency, utc_day;
