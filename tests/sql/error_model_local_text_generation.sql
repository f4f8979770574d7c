CREATE MODEL m WITH ('provider' = 'local', 'task' = 'text_generation');
