-- The sentiment job on the 'openai' provider, for users with a key or a local OpenAI-compatible server
-- (Ollama, vLLM, llama.cpp's server, LM Studio). Put your endpoint and key below, then run from the repository root:
--   dotnet run --project src/Runnel.Cli -- run examples/reviews/sentiment_openai.sql
-- For Ollama: 'endpoint' = 'http://localhost:11434/v1/chat/completions', any 'api-key', 'openai.model_version' = 'llama3.2'.

SET 'execution.runtime-mode' = 'batch';

CREATE OR REPLACE CONNECTION openai-connection WITH (
  'type' = 'openai',
  'endpoint' = 'https://api.openai.com/v1/chat/completions',
  'api-key' = '<your key>'
);

DROP MODEL IF EXISTS `sentiment_llm$all`;
CREATE MODEL sentiment_llm
  INPUT (text STRING)
  OUTPUT (sentiment STRING)
  COMMENT 'POSITIVE or NEGATIVE from a chat model'
  WITH (
    'provider' = 'openai',
    'task' = 'classification',
    'openai.connection' = 'openai-connection',
    'openai.model_version' = 'gpt-4o-mini',
    'openai.system_prompt' = 'Classify the sentiment of the product review. Answer with exactly one word: POSITIVE or NEGATIVE.',
    'openai.params.temperature' = '0',
    'openai.params.max_tokens' = '3'
  );

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

-- One call per review: the first 200 reviews keep the cost small.
SELECT Id, ProductId, Score, sentiment
FROM (SELECT * FROM reviews WHERE Id <= 200) AS r,
     LATERAL TABLE(ML_PREDICT('sentiment_llm', CONCAT(Summary, '. ', `Text`), MAP['max_parallelism', 4]))
ORDER BY Id
LIMIT 20;

SELECT ROUND(metrics['Accuracy'], 3) AS accuracy, ROUND(metrics['F1'], 3) AS f1
FROM (
  SELECT ML_EVALUATE(sentiment_llm, CASE WHEN Score >= 4 THEN 'POSITIVE' ELSE 'NEGATIVE' END, CONCAT(Summary, '. ', `Text`)) AS metrics
  FROM reviews
  WHERE Score <> 3 AND Id <= 200
);
