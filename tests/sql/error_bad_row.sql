SET 'execution.runtime-mode' = 'batch';
CREATE TABLE readings (sensor STRING, `value` DOUBLE)
  WITH ('connector' = 'filesystem', 'path' = '${DATA}/readings_bad.csv', 'format' = 'csv', 'csv.header' = 'true');
SELECT * FROM readings;
