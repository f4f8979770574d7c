-- A provider that cannot be reached: the statement fails with the provider's error and no secret.
SET 'execution.runtime-mode' = 'batch';
CREATE CONNECTION down WITH ('type' = 'openai', 'endpoint' = 'http://127.0.0.1:9/v1/chat/completions', 'api-key' = 'sk-canary-call-fails');
CREATE MODEL m WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'down');
CREATE MODEL lenient WITH ('provider' = 'openai', 'task' = 'classification', 'openai.connection' = 'down', 'error-handling-strategy' = 'ignore');
SELECT s, output FROM (VALUES ('a'), ('b')) AS t (s), LATERAL TABLE(ML_PREDICT('lenient', s, MAP['retry_count', 0])) ORDER BY s;
SELECT * FROM (VALUES ('a')) AS t (s), LATERAL TABLE(ML_PREDICT('m', s, MAP['retry_count', 0]));
