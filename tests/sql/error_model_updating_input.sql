CREATE TABLE clicks (user_name STRING);
CREATE MODEL m WITH ('provider' = 'openai', 'task' = 'classification', 'openai.endpoint' = 'http://127.0.0.1:9/x');
SELECT * FROM (SELECT user_name, CAST(COUNT(*) AS STRING) AS n FROM clicks GROUP BY user_name) AS t, LATERAL TABLE(ML_PREDICT('m', t.n));
