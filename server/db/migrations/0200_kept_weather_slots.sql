-- Kept weather slots carry the weather buckets of their hour (salesByWeather.ts no longer looks them up in
-- the observations when a build answers), and the last finished build is recorded, so that the process that
-- owns the store can read it again after a restart while what it was built from is unchanged
-- (server/weather/weatherSlotBuilds.ts). Builds written before this migration have '' buckets: they are
-- never read (a process reads only builds it recorded, and records only builds with buckets).
ALTER TABLE weather_slots ADD COLUMN IF NOT EXISTS condition_bucket LowCardinality(String);

ALTER TABLE weather_slots ADD COLUMN IF NOT EXISTS temperature_bucket LowCardinality(String);

-- One row per finished build: its id, the fingerprint of what it was built from (slotsSourceVersion) and
-- its number of slots. The newest row is the only one read.
CREATE TABLE IF NOT EXISTS weather_slot_builds
(
    build UInt64,
    source_version String,
    slots UInt64,
    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(recorded_at)
ORDER BY tuple();
