CREATE TABLE t (product STRING, score INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
SELECT prodct FROM t;
