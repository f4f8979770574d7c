CREATE TABLE t (a STRING) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv', 'csv.delimiter' = ';');
