-- Local models trained in SQL; every ML_PREDICT call form; NULLs; ML_EVALUATE per task.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE sentences (sentence STRING, label INT)
  WITH ('connector' = 'filesystem', 'path' = '${DATA}/tiny_sentiment.tsv', 'format' = 'csv', 'csv.field-delimiter' = '\t');
CREATE MODEL sentiment INPUT (text STRING) OUTPUT (sentiment STRING, confidence DOUBLE)
  WITH ('provider' = 'local', 'task' = 'classification', 'local.seed' = '1', 'local.epochs' = '30')
AS SELECT sentence, CASE WHEN label = 1 THEN 'pos' ELSE 'neg' END FROM sentences;

CREATE TABLE reviews (id INT, text STRING);
INSERT INTO reviews VALUES (1, 'I love the great taste'), (2, 'awful, I hate it'), (3, CAST(NULL AS STRING));

-- Lateral form, model as a string; NULL input gives NULL output without a call.
SELECT id, sentiment, ROUND(confidence, 2) AS confidence FROM reviews, LATERAL TABLE(ML_PREDICT('sentiment', text)) ORDER BY id;
-- A string holding a quoted path, an explicit version, a config map, and renamed outputs.
SELECT id, s FROM reviews, LATERAL TABLE(ML_PREDICT('`default_database`.`sentiment$1`', text, MAP['max_parallelism', 2, 'retry_count', '0'])) AS r (s, c) ORDER BY id;
-- Flink 2.1 table-valued form.
SELECT id, sentiment FROM ML_PREDICT(TABLE reviews, MODEL sentiment, DESCRIPTOR(text)) ORDER BY id;
-- Scalar form: a single output column would be the value; two make a ROW.
SELECT id, ML_PREDICT(sentiment, text).sentiment AS s FROM reviews ORDER BY id;
-- Output names that clash with input columns get an index.
CREATE TABLE clash (sentiment STRING);
INSERT INTO clash VALUES ('great, I love it');
SELECT * FROM clash, LATERAL TABLE(ML_PREDICT('sentiment', sentiment));

-- Classification metrics (labels as text).
SELECT ML_EVALUATE(sentiment, CASE WHEN label = 1 THEN 'pos' ELSE 'neg' END, sentence) FROM sentences;

-- Regression: ridge regression on numeric features.
CREATE TABLE houses (rooms INT, area DOUBLE, price DOUBLE)
  WITH ('connector' = 'filesystem', 'path' = '${DATA}/houses.csv', 'format' = 'csv', 'csv.header' = 'true');
CREATE MODEL price INPUT (rooms INT, area DOUBLE) OUTPUT (price DOUBLE)
  WITH ('provider' = 'local', 'task' = 'regression', 'local.epochs' = '200', 'local.learning_rate' = '0.3', 'local.l2' = '0')
AS SELECT rooms, area, price FROM houses;
SELECT rooms, area, price, ROUND(p, 0) AS predicted FROM houses, LATERAL TABLE(ML_PREDICT('price', rooms, area)) AS r (p) WHERE rooms IN (1, 3, 5);

-- Clustering: k-means.
CREATE TABLE points (x DOUBLE, y DOUBLE)
  WITH ('connector' = 'filesystem', 'path' = '${DATA}/points.csv', 'format' = 'csv', 'csv.header' = 'true');
CREATE MODEL clusters INPUT (x DOUBLE, y DOUBLE) OUTPUT (cluster INT)
  WITH ('provider' = 'local', 'task' = 'clustering', 'local.k' = '3', 'local.seed' = '3')
AS SELECT x, y FROM points;
SELECT COUNT(DISTINCT cluster) AS clusters, COUNT(*) AS n FROM points, LATERAL TABLE(ML_PREDICT('clusters', x, y));

-- Embedding: lexical TF-IDF vectors.
CREATE MODEL words INPUT (text STRING) OUTPUT (embedding ARRAY<FLOAT>)
  WITH ('provider' = 'local', 'task' = 'embedding', 'local.dimensions' = '64')
AS SELECT sentence FROM sentences;
SELECT id, CARDINALITY(embedding) AS dims FROM reviews, LATERAL TABLE(AI_EMBEDDING('words', text)) ORDER BY id;

-- Regression and clustering metrics (checked against the definitions with the predictions above).
SELECT rooms, area, price, p FROM houses, LATERAL TABLE(ML_PREDICT('price', rooms, area)) AS r (p);
SELECT m['MAE'] AS mae, m['MSE'] AS mse, m['RMSE'] AS rmse, m['MAPE'] AS mape, m['R²'] AS r2
FROM (SELECT ML_EVALUATE(price, price, rooms, area) AS m FROM houses);
SELECT x, y, cluster FROM points, LATERAL TABLE(ML_PREDICT('clusters', x, y));
SELECT m['Mean Davies-Bouldin Index'] AS db, m['Silhouette Score'] AS silhouette, m['Intra-Cluster Variance'] AS variance
FROM (SELECT ML_EVALUATE(clusters, x, y) AS m FROM points);
