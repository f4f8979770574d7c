CREATE MODEL m WITH ('provider' = 'openai', 'task' = 'classification', 'openai.endpoint' = 'http://127.0.0.1:9/v1/chat/completions', 'openai.temprature' = '0');
