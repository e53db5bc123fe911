-- The stored lines ordered by transaction id, inside each part of transactions (a projection): what an
-- ingest chunk reads to learn whether any of its keys or baskets is stored already. transactions is ordered
-- by time, so that look-up read the key and basket hashes of every stored line of the merchant, a cost that
-- grew with the store (4 ms at the first 100,000-line request of a load, about 120 ms after 3M lines).
-- Ordered by transaction id, it reads only the granules whose id range holds one of the chunk's ids: for
-- ids that follow the order of sales (register sequences, time-stamped ids) a few granules per store,
-- whatever the store holds; for random ids (UUIDs) still every granule, as before. A projection is written
-- in the same part as its lines and merged with them, so it can never disagree with them.
ALTER TABLE transactions ADD PROJECTION IF NOT EXISTS by_transaction_id (
    SELECT merchant_id, transaction_id, line_no, store_id, status, product_id, key_hash, basket_hash
    ORDER BY merchant_id, transaction_id, line_no);

ALTER TABLE transactions MATERIALIZE PROJECTION by_transaction_id SETTINGS mutations_sync = 2;
