SET 'execution.runtime-mode' = 'batch';
CREATE TABLE orders (order_id INT, customer STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${DATA}/orders.json', 'format' = 'json');
CREATE VIEW alice_orders AS SELECT order_id, amount FROM orders WHERE customer = 'alice';
SHOW VIEWS;
SELECT * FROM alice_orders ORDER BY order_id;
CREATE TABLE totals AS SELECT customer, SUM(amount) AS total FROM orders GROUP BY customer;
SELECT * FROM totals ORDER BY customer;
CREATE TABLE a (id INT);
CREATE TABLE b (id INT);
EXECUTE STATEMENT SET BEGIN
  INSERT INTO a SELECT order_id FROM orders WHERE order_id <= 2;
  INSERT INTO b SELECT order_id FROM orders WHERE order_id > 4;
END;
SELECT * FROM (SELECT 'a' AS t, id FROM a UNION ALL SELECT 'b', id FROM b) ORDER BY t, id;
EXPLAIN SELECT customer, order_id FROM orders WHERE amount > 10;
DROP VIEW alice_orders;
