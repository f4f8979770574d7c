-- GROUP BY, HAVING, ORDER BY, LIMIT; batch results are final, streaming results are a changelog.
CREATE TABLE orders (
  order_id INT,
  customer STRING,
  amount DECIMAL(10, 2),
  tags ARRAY<STRING>,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = '${DATA}/orders.json', 'format' = 'json');

SET 'execution.runtime-mode' = 'batch';
SELECT customer, COUNT(*) AS n, SUM(amount) AS total, AVG(amount) AS avg_amount, MIN(order_id) AS first_order, MAX(ts) AS last_ts
FROM orders GROUP BY customer HAVING COUNT(*) >= 1 ORDER BY total DESC NULLS LAST;
SELECT COUNT(*) AS n, COUNT(amount) AS with_amount, COUNT(DISTINCT customer) AS customers FROM orders;
SELECT COUNT(*) AS n FROM orders WHERE amount > 1000;
SELECT customer FROM orders GROUP BY customer ORDER BY customer LIMIT 2;
SELECT DISTINCT customer FROM orders ORDER BY customer;

RESET 'execution.runtime-mode';
SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer;
