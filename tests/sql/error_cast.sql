SET 'execution.runtime-mode' = 'batch';
SELECT CAST('abc' AS INT) AS n;
