CREATE CONNECTION c WITH ('type' = 'bedrock', 'endpoint' = 'https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v1/invoke', 'aws-access-key' = 'AKIA-canary');
