CREATE CONNECTION c WITH ('type' = 'openai', 'endpoint' = 'https://api.openai.com/v1/chat/completions', 'api-key' = 'sk-canary-alter');
ALTER CONNECTION c SET ('endpoint' = 'https://example.com/v1/chat/completions');
