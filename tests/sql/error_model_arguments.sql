CREATE MODEL m INPUT (text STRING) OUTPUT (label STRING) WITH ('provider' = 'openai', 'task' = 'classification', 'openai.endpoint' = 'http://127.0.0.1:9/v1/chat/completions');
SELECT * FROM (VALUES (1)) AS t (x), LATERAL TABLE(ML_PREDICT('m', t.x));
