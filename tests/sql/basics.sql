-- Expressions, types and NULL semantics, without any table.
SET 'execution.runtime-mode' = 'batch';

SELECT 1 AS one, 7 / 2 AS int_div, 7 / 2.0 AS dec_div, 7 % 3 AS modulo, 2 * 1e0 AS dbl;
SELECT CAST('42' AS INT) AS i, TRY_CAST('x' AS INT) AS bad, CAST(3.7 AS INT) AS truncated, CAST(1 AS BOOLEAN) AS b;
SELECT UPPER('abc') AS u, CONCAT('a', 'b', 'c') AS c, 'x' || 'y' AS pipe, CHAR_LENGTH('hello') AS len, SUBSTRING('streaming' FROM 1 FOR 6) AS sub;
SELECT CASE WHEN 1 > 2 THEN 'yes' ELSE 'no' END AS c, COALESCE(NULL, 'fallback') AS co, NULLIF(1, 1) AS ni, IF(TRUE, 1, 2) AS i;
SELECT NULL = NULL AS eq, NULL IS NULL AS isnull, 1 IN (1, NULL) AS in_list, 2 IN (1, NULL) AS not_found, 5 BETWEEN 1 AND 10 AS btw;
SELECT DATE_FORMAT(TIMESTAMP '2024-03-01 12:34:56', 'yyyy/MM/dd HH:mm') AS f, EXTRACT(YEAR FROM DATE '2024-03-01') AS y, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '90' MINUTE AS later;
SELECT ARRAY[1, 2, 3][2] AS second, CARDINALITY(ARRAY['a', 'b']) AS n, MAP['k', 'v']['k'] AS mv, JSON_VALUE('{"a": {"b": 5}}', '$.a.b') AS jv;
SELECT ROUND(2.345, 2) AS r, FLOOR(2.7) AS f, CEIL(2.1) AS c, ABS(-3) AS a, POWER(2, 10) AS p, SQRT(16.0) AS s;
SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) AS t (id, name) WHERE name IS NOT NULL;
SELECT JSON_OBJECT('a' VALUE 1, KEY 'b' VALUE 'x', 'c' VALUE CAST(NULL AS INT)) AS o, JSON_OBJECT('c' VALUE CAST(NULL AS INT) ABSENT ON NULL) AS absent,
       JSON_ARRAY(1, 'two', CAST(NULL AS INT)) AS arr, JSON_VALUE('{"n": "42"}', '$.n' RETURNING INT) + 1 AS n;
