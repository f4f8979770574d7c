-- Sentiment of Amazon Fine Food reviews with a model trained in SQL, no network and no keys.
-- 1. Train a local sentiment classifier on the 3,000 UCI labelled sentences (two versions, different options).
-- 2. Stream the 4,999 reviews through ML_PREDICT into a JSON sink.
-- 3. Predicted sentiment per product for the ten most reviewed products.
-- 4. ML_EVALUATE of both versions against labels derived from the review score (4-5 positive, 1-2 negative, 3 out).
-- Run from the repository root:  dotnet run --project src/Runnel.Cli -- run examples/reviews/sentiment.sql

SET 'execution.runtime-mode' = 'batch';

DROP TABLE IF EXISTS labelled_sentences;
CREATE TABLE labelled_sentences (sentence STRING, label INT) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/reviews/data/sentiment',
  'format' = 'csv',
  'csv.field-delimiter' = '\t',
  'csv.disable-quote-character' = 'true'
);

DROP MODEL IF EXISTS `sentiment$all`;

-- Version 1: words, word pairs and character 3-5-grams.
CREATE MODEL sentiment
  INPUT (text STRING)
  OUTPUT (sentiment STRING)
  COMMENT 'POSITIVE or NEGATIVE, trained on UCI labelled sentences'
  WITH ('provider' = 'local', 'task' = 'classification', 'local.seed' = '7')
AS SELECT sentence, CASE WHEN label = 1 THEN 'POSITIVE' ELSE 'NEGATIVE' END FROM labelled_sentences;

-- Version 2: words and word pairs only, more passes.
CREATE MODEL sentiment
  INPUT (text STRING)
  OUTPUT (sentiment STRING)
  COMMENT 'POSITIVE or NEGATIVE, trained on UCI labelled sentences'
  WITH ('provider' = 'local', 'task' = 'classification', 'local.seed' = '7', 'local.char_ngrams' = 'false', 'local.epochs' = '20')
AS SELECT sentence, CASE WHEN label = 1 THEN 'POSITIVE' ELSE 'NEGATIVE' END FROM labelled_sentences;

DESCRIBE MODEL `sentiment$all`;

DROP TABLE IF EXISTS reviews;
CREATE TABLE reviews (
  Id BIGINT, ProductId STRING, UserId STRING, ProfileName STRING, HelpfulnessNumerator INT,
  HelpfulnessDenominator INT, Score INT, `Time` BIGINT, Summary STRING, `Text` STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/reviews/data/reviews_ids_1_4999.csv',
  'format' = 'csv',
  'csv.header' = 'true'
);

DROP TABLE IF EXISTS rated_reviews;
CREATE TABLE rated_reviews (id BIGINT, product_id STRING, score INT, sentiment STRING) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/reviews/out/rated_reviews',
  'format' = 'json'
);

-- Every review through the default version of the model (version 1).
INSERT OVERWRITE rated_reviews
SELECT Id, ProductId, Score, sentiment
FROM reviews, LATERAL TABLE(ML_PREDICT('sentiment', CONCAT(Summary, '. ', `Text`)));

-- Predicted sentiment of the ten most reviewed products.
SELECT product_id,
       COUNT(*) AS reviews,
       SUM(CASE WHEN sentiment = 'POSITIVE' THEN 1 ELSE 0 END) AS predicted_positive,
       SUM(CASE WHEN sentiment = 'NEGATIVE' THEN 1 ELSE 0 END) AS predicted_negative,
       CAST(AVG(CAST(score AS DOUBLE)) AS DECIMAL(3, 2)) AS avg_score
FROM rated_reviews
GROUP BY product_id
ORDER BY reviews DESC, product_id
LIMIT 10;

-- Both versions against the star rating (macro-averaged precision, recall and F1; docs/sql-reference.md).
SELECT VersionId AS version,
       ROUND(metrics['Accuracy'], 3) AS accuracy,
       ROUND(metrics['Precision'], 3) AS `precision`,
       ROUND(metrics['Recall'], 3) AS recall,
       ROUND(metrics['F1'], 3) AS f1
FROM (
  SELECT ML_EVALUATE(`sentiment$all`, CASE WHEN Score >= 4 THEN 'POSITIVE' ELSE 'NEGATIVE' END, CONCAT(Summary, '. ', `Text`)) AS metrics
  FROM reviews
  WHERE Score <> 3
);
