-- Tables without a connector are managed tables: Runnel stores them (scripts written for Confluent Cloud run as is).
CREATE TABLE text_input (id STRING, input STRING);
INSERT INTO text_input VALUES ('1', 'I love this product'), ('2', 'Terrible, broke after a day'), ('3', 'It is fine');
INSERT INTO text_input SELECT '4' id, 'second insert' input;
SHOW TABLES;
DESCRIBE text_input;
SHOW CREATE TABLE text_input;
SET 'execution.runtime-mode' = 'batch';
SELECT id, UPPER(input) AS shout FROM text_input ORDER BY id;
CREATE TABLE IF NOT EXISTS text_input (x INT);
DROP TABLE text_input;
SHOW TABLES;
