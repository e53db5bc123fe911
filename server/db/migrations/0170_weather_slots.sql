-- Sales by weather's open slots (store, UTC hour) with the sums of their like-for-like neighbours, built
-- in the background from sales_store_hourly (server/weather/weatherSlotBuilds.ts). Each build is a
-- partition: a build is read only while the rollup is what it was built from, and dropped once replaced
-- and no reader holds it. Amounts are in the lines' own currency (used only when no conversion is needed).
CREATE TABLE IF NOT EXISTS weather_slots
(
    build UInt64,
    merchant_id LowCardinality(String),
    store_id LowCardinality(String),
    hour_utc DateTime('UTC'),
    first_local_hour DateTime('UTC'),
    last_local_hour DateTime('UTC'),
    quantity Decimal(38, 3),
    revenue Decimal(38, 4),
    neighbour_revenue Decimal(38, 4),
    neighbours UInt32
)
ENGINE = MergeTree
PARTITION BY build
ORDER BY (merchant_id, hour_utc, store_id);
