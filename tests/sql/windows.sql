-- Window TVFs over event time with a watermark, in streaming mode; the bounded file ends with a final watermark.
CREATE TABLE orders (
  order_id INT,
  customer STRING,
  amount DECIMAL(10, 2),
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DATA}/orders.json', 'format' = 'json');

DESCRIBE orders;
SELECT window_start, window_end, COUNT(*) AS n, SUM(amount) AS total
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTES))
GROUP BY window_start, window_end;

SELECT window_start, window_end, customer, COUNT(*) AS n
FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE))
WHERE customer IN ('alice', 'bob')
GROUP BY window_start, window_end, customer;
