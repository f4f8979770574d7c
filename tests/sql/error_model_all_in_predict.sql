CREATE MODEL m WITH ('provider' = 'openai', 'task' = 'classification', 'openai.endpoint' = 'http://127.0.0.1:9/x');
SELECT * FROM (VALUES ('a')) AS t (s), LATERAL TABLE(ML_PREDICT('m$all', s));
