"""First-invocation baseline: Powertools Logger plus one boto3 client created at import, the way
the AWS samples do it, and one S3 call per invocation."""

import boto3
from aws_lambda_powertools import Logger

logger = Logger()
s3 = boto3.client("s3")


@logger.inject_lambda_context
def lambda_handler(event, context):
    bucket, key = event["input"]["bucket"], event["input"]["key"]
    page = s3.list_objects_v2(Bucket=bucket, Prefix=key.rsplit("/", 1)[0] + "/", MaxKeys=1)
    return {"found": page.get("KeyCount", 0)}
