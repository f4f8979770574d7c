-- The filesystem connector: reading, writing part files, reading them back.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE orders (order_id INT, customer STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${DATA}/orders.json', 'format' = 'json');
CREATE TABLE big_orders (order_id INT, customer STRING, amount DECIMAL(10, 2))
  WITH ('connector' = 'filesystem', 'path' = '${TMP}/big', 'format' = 'csv');
INSERT INTO big_orders SELECT order_id, customer, amount FROM orders WHERE amount >= 10;
SELECT * FROM big_orders ORDER BY order_id;
CREATE TABLE readings (sensor STRING, `value` DOUBLE)
  WITH ('connector' = 'filesystem', 'path' = '${DATA}/readings_bad.csv', 'format' = 'csv', 'csv.header' = 'true', 'csv.ignore-parse-errors' = 'true');
SELECT sensor, `value` FROM readings;
CREATE TABLE lines (line STRING) WITH ('connector' = 'filesystem', 'path' = '${DATA}/customers.csv', 'format' = 'raw');
SELECT COUNT(*) AS n FROM lines;
