-- A hash of the part of the idempotency key that is not the merchant, stored with each line: the ingestion
-- pipeline first asks whether any line of a chunk might already be stored by reading this 8-byte column
-- instead of every stored transaction_id; only when a hash matches does it compare the keys themselves.
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS key_hash UInt64 MATERIALIZED cityHash64(transaction_id, line_no);
