-- The worst-rated products among the first 4,999 Amazon Fine Food reviews (data/PROVENANCE.md):
-- reviews per product, average score, share of 1-2 star reviews; the ten worst products with at least 5 reviews.
-- Run from the repository root:  dotnet run --project src/Runnel.Cli -- run examples/reviews/top_products.sql

SET 'execution.runtime-mode' = 'batch';

DROP TABLE IF EXISTS reviews;

CREATE TABLE reviews (
  Id BIGINT,
  ProductId STRING,
  UserId STRING,
  ProfileName STRING,
  HelpfulnessNumerator INT,
  HelpfulnessDenominator INT,
  Score INT,
  `Time` BIGINT,
  Summary STRING,
  `Text` STRING,
  review_time AS TO_TIMESTAMP_LTZ(`Time`, 0)
) WITH (
  'connector' = 'filesystem',
  'path' = 'examples/reviews/data/reviews_ids_1_4999.csv',
  'format' = 'csv',
  'csv.header' = 'true'
);

-- Overall shape of the data set.
SELECT COUNT(*) AS reviews,
       COUNT(DISTINCT ProductId) AS products,
       MIN(review_time) AS first_review,
       MAX(review_time) AS last_review
FROM reviews;

-- The ten worst products.
SELECT ProductId AS product_id,
       COUNT(*) AS reviews,
       CAST(AVG(CAST(Score AS DOUBLE)) AS DECIMAL(3, 2)) AS avg_score,
       CAST(100.0 * SUM(CASE WHEN Score <= 2 THEN 1 ELSE 0 END) / COUNT(*) AS DECIMAL(4, 1)) AS pct_1_2_star
FROM reviews
GROUP BY ProductId
HAVING COUNT(*) >= 5
ORDER BY avg_score, reviews DESC
LIMIT 10;
