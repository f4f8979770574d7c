CREATE TABLE orders (order_id INT, customer STRING, amount DECIMAL(10, 2), tags ARRAY<STRING>, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${DATA}/orders.json', 'format' = 'json');
CREATE TABLE customers (name STRING, city STRING, since DATE)
  WITH ('connector' = 'filesystem', 'path' = '${DATA}/customers.csv', 'format' = 'csv', 'csv.header' = 'true');

SET 'execution.runtime-mode' = 'batch';
SELECT o.order_id, o.customer, c.city FROM orders o JOIN customers c ON o.customer = c.name ORDER BY o.order_id;
SELECT o.order_id, c.city FROM orders o LEFT JOIN customers c ON o.customer = c.name ORDER BY o.order_id;
SELECT c.name, COUNT(o.order_id) AS orders FROM customers c LEFT JOIN orders o ON c.name = o.customer GROUP BY c.name ORDER BY c.name;
SELECT o.order_id, t.tag FROM orders o CROSS JOIN UNNEST(o.tags) AS t (tag) ORDER BY o.order_id, t.tag;
SELECT u.v, u.o FROM UNNEST(ARRAY['x', 'y']) WITH ORDINALITY AS u (v, o);
