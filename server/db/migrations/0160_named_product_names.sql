-- A product's name is that of its latest completed line that has one: a line sent without a name (a till
-- export without the name column, a correction by id) no longer blanks the name every report shows. The
-- time of an unnamed line counts as the epoch, so it wins only when no line has a name.
DROP VIEW IF EXISTS product_names_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS product_names_mv TO product_names AS
SELECT t.merchant_id AS merchant_id, t.product_id AS product_id,
       argMaxState(t.product_name, if(t.product_name = '', toDateTime64(0, 3, 'UTC'), t.occurred_at)) AS name
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, product_id;

-- Names stored under the old rule are made again from the lines (start-up runs migrations before
-- anything writes).
ALTER TABLE product_names DELETE WHERE true SETTINGS mutations_sync = 2;

INSERT INTO product_names
SELECT t.merchant_id AS merchant_id, t.product_id AS product_id,
       argMaxState(t.product_name, if(t.product_name = '', toDateTime64(0, 3, 'UTC'), t.occurred_at)) AS name
FROM transactions AS t
WHERE t.status = 'completed'
GROUP BY merchant_id, product_id;
