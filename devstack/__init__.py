"""The local stack: moto as the local AWS, chalice local for the API, and a stream
worker that plays Lambda's DynamoDB event-source mapping. Never shipped to Lambda."""
