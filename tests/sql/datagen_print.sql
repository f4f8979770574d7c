CREATE TABLE numbers (id BIGINT, label STRING) WITH (
  'connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5', 'fields.label.length' = '4');
CREATE TABLE out (id BIGINT, doubled BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'out');
INSERT INTO out SELECT id, id * 2 FROM numbers WHERE id <> 3;
SET 'execution.runtime-mode' = 'batch';
SELECT COUNT(*) AS n, SUM(id) AS total FROM numbers;
