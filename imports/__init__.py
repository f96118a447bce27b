"""What happened to my upload: `python -m imports list` and `python -m imports show` read a deployed
stack's imports from Step Functions (ListExecutions, DescribeExecution, GetExecutionHistory) and
its DynamoDB ledger, with the user's AWS credentials (AWS_ENDPOINT_URL reaches the sandbox)."""
