-- The merchant's customer bitmaps in their old granules, copied by migration 0220 (recorded before this one
-- runs, so a start-up killed here finds the copies whole).
DROP TABLE IF EXISTS customers_merchant_monthly_bitmap;

DROP TABLE IF EXISTS customers_merchant_daily_bitmap;

DROP TABLE IF EXISTS customers_merchant_hourly_bitmap;
