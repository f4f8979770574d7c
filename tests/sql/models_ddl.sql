-- Connections and models: DDL, versions, listings, and secrets that never show.
CREATE CONNECTION my-openai-connection
  COMMENT 'used by the tests'
  WITH ('type' = 'openai', 'endpoint' = 'https://api.openai.com/v1/chat/completions', 'api_key' = 'sk-canary-models-ddl-0001');
SHOW CONNECTIONS;
DESCRIBE CONNECTION my-openai-connection;
ALTER CONNECTION my-openai-connection SET ('api-key' = 'sk-canary-models-ddl-0002');
CREATE CONNECTION IF NOT EXISTS my-openai-connection WITH ('type' = 'openai', 'endpoint' = 'x', 'api-key' = 'y');

CREATE MODEL summarizer
  INPUT (text STRING COMMENT 'the review')
  OUTPUT (summary STRING)
  COMMENT 'one-line summaries'
  WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'my-openai-connection',
        'openai.model_version' = 'gpt-4o-mini', 'OPENAI.SYSTEM_PROMPT' = 'Summarize in one line.', 'openai.params.temperature' = '0');
CREATE MODEL summarizer
  INPUT (text STRING COMMENT 'the review')
  OUTPUT (summary STRING)
  COMMENT 'one-line summaries'
  WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'my-openai-connection', 'openai.model_version' = 'gpt-4o');
CREATE MODEL IF NOT EXISTS summarizer WITH ('provider' = 'openai', 'task' = 'text_generation', 'openai.connection' = 'my-openai-connection');
SHOW MODELS;
SHOW MODELS LIKE 'sum%';
DESCRIBE MODEL summarizer;
DESCRIBE MODEL `summarizer$2`;
DESCRIBE MODEL `summarizer$all`;
ALTER MODEL summarizer SET ('default_version' = '2');
ALTER MODEL `summarizer$1` SET ('openai.params.max_tokens' = '50');
SHOW CREATE MODEL summarizer;
SHOW CREATE MODEL `summarizer$1`;
DROP MODEL summarizer;
DESCRIBE MODEL `summarizer$all`;
ALTER MODEL summarizer RENAME TO short-summaries;
SHOW MODELS;

-- The legacy form: the key comes from the session, and is a secret like any other.
SET 'sql.secrets.openaikey' = 'sk-canary-models-ddl-0003';
CREATE MODEL legacy
  WITH ('provider' = 'openai', 'task' = 'classification', 'openai.endpoint' = 'https://api.openai.com/v1/chat/completions',
        'openai.api_key' = '{{sessionconfig/sql.secrets.openaikey}}', 'type' = 'remote');
SHOW CREATE MODEL legacy;
SET;
DROP MODEL `legacy$all`;
DROP MODEL `short-summaries$all`;
SHOW MODELS;
DROP CONNECTION my-openai-connection;
SHOW CONNECTIONS;
