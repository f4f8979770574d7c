-- Kafka example, step 2: one worker. Run it in as many processes as you like (run.sh starts two); with the same
-- consumer group they share the partitions of 'reviews', and stop gracefully on Ctrl+C or SIGTERM.
SET 'execution.checkpointing.interval' = '2s';

INSERT INTO rated
SELECT id, product_id, score, sentiment
FROM reviews, LATERAL TABLE(ML_PREDICT('sentiment', CONCAT(summary, '. ', text)));
