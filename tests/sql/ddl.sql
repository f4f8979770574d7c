-- DDL round trips: computed and metadata columns, keys, comments, ALTER, LIKE filters, temporary objects.
CREATE TABLE orders (
  order_id INT NOT NULL COMMENT 'order number',
  customer STRING,
  amount DECIMAL(10, 2),
  amount_cents AS CAST(amount * 100 AS BIGINT),
  source_file STRING METADATA FROM 'file.name' VIRTUAL,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND,
  PRIMARY KEY (order_id) NOT ENFORCED
) COMMENT 'orders from a file'
WITH ('connector' = 'filesystem', 'path' = '${DATA}/orders.json', 'format' = 'json');
DESCRIBE orders;
SHOW CREATE TABLE orders;
ALTER TABLE orders SET ('json.ignore-parse-errors' = 'true');
SHOW CREATE TABLE orders;
CREATE TEMPORARY TABLE scratch (x INT) WITH ('connector' = 'blackhole');
CREATE TABLE order_stats (n BIGINT) WITH ('connector' = 'print');
SHOW TABLES;
SHOW TABLES LIKE 'order%';
SHOW TABLES NOT LIKE 'order%';
SET 'execution.runtime-mode' = 'batch';
SELECT order_id, amount_cents, source_file FROM orders WHERE order_id <= 2;
SET;
RESET;
SET;
