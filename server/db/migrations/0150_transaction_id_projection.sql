-- The stored lines ordered by transaction id, inside each part of transactions (a projection): what an
-- ingest chunk reads to learn whether any of its keys or baskets is stored already. transactions is ordered
-- by time, so that look-up read the key and basket hashes of every stored line of the merchant, a cost that
-- grew with the store (4 ms at the first 100,000-line request of a load, about 120 ms after 3M lines).
-- Ordered by transaction id, it reads only the granules whose id range holds one of the chunk's ids: for
-- ids that follow the order of sales (register sequences, time-stamped ids) a few granules, whatever the
-- store holds; for random ids (UUIDs) still every granule, as before. The id comes before the merchant: a
-- granule of a part holding many small merchants spans several of them, and then a merchant-first order
-- bounds no id range (on 900,000 bench lines in 20 parts the next chunk read 83 of 111 granules that way,
-- 4 of 111 this way). A projection is written in the same part as its lines and merged with them, so it
-- can never disagree with them. Deleting lines takes ALTER TABLE ... DELETE (which rewrites the parts with
-- their projections): a lightweight DELETE FROM transactions now fails, as the engine's default
-- (lightweight_mutation_projection_mode = 'throw') has it; its 'rebuild' mode left a deleted line readable
-- through the projection when tried.
ALTER TABLE transactions ADD PROJECTION IF NOT EXISTS by_transaction_id (
    SELECT merchant_id, transaction_id, line_no, store_id, status, product_id, key_hash, basket_hash
    ORDER BY transaction_id, merchant_id, line_no);

ALTER TABLE transactions MATERIALIZE PROJECTION by_transaction_id SETTINGS mutations_sync = 2;
