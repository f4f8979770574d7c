-- Kafka example, step 1 (run.sh runs it after creating connection 'brokers'):
-- train the local sentiment model, declare the two topics as tables, and load the 4,999 reviews into topic 'reviews'.

SET 'execution.runtime-mode' = 'batch';

CREATE TABLE IF NOT EXISTS labelled_sentences (sentence STRING, label INT) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/reviews/data/sentiment',
  'format' = 'csv',
  'csv.field-delimiter' = '\t',
  'csv.disable-quote-character' = 'true'
);

DROP MODEL IF EXISTS `sentiment$all`;
CREATE MODEL sentiment
  INPUT (text STRING)
  OUTPUT (sentiment STRING)
  WITH ('provider' = 'local', 'task' = 'classification', 'local.seed' = '7')
AS SELECT sentence, CASE WHEN label = 1 THEN 'POSITIVE' ELSE 'NEGATIVE' END FROM labelled_sentences;

CREATE TABLE IF NOT EXISTS reviews_file (
  Id BIGINT, ProductId STRING, UserId STRING, ProfileName STRING, HelpfulnessNumerator INT,
  HelpfulnessDenominator INT, Score INT, `Time` BIGINT, Summary STRING, `Text` STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/reviews/data/reviews_ids_1_4999.csv',
  'format' = 'csv',
  'csv.header' = 'true'
);

-- The reviews topic, keyed by id. The workers read it as consumer group 'enrichers' and share its partitions.
DROP TABLE IF EXISTS reviews;
CREATE TABLE reviews (id BIGINT, product_id STRING, score INT, summary STRING, text STRING) WITH (
  'connector' = 'kafka',
  'kafka.connection' = 'brokers',
  'topic' = 'reviews',
  'properties.group.id' = 'enrichers',
  'properties.session.timeout.ms' = '10000',
  'key.format' = 'json',
  'key.fields' = 'id',
  'value.format' = 'json'
);

-- The enriched reviews.
DROP TABLE IF EXISTS rated;
CREATE TABLE rated (id BIGINT, product_id STRING, score INT, sentiment STRING) WITH (
  'connector' = 'kafka',
  'kafka.connection' = 'brokers',
  'topic' = 'rated',
  'key.format' = 'json',
  'key.fields' = 'id',
  'value.format' = 'json'
);

INSERT INTO reviews SELECT Id, ProductId, Score, Summary, `Text` FROM reviews_file;
