"""Constants and small fakes shared by the unit, handler and corpus tests.

The values mirror the sandbox's stack: moto's default account, the artifact bucket
`model-import-sandbox` and the template's default prefix and trigger-file name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
OTHER_ACCOUNT_ID = "999988887777"
BUCKET = "model-import-sandbox"
INCOMING_PREFIX = "incoming/"
TRIGGER_FILE_NAME = "manifest.json"
ALLOWED_PREFIX = "s3://shared-models-123456789012/approved/"
DEFAULT_TAGS = {"team": "ml-platform"}
TOPIC_NAME = "model-import-results"
LEDGER_TABLE = "model-import-ledger"
STACK_NAME = "model-import-sandbox"  # sandbox/template.py STACK_NAME
IMPORT_ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/model-import-bedrock"
STATE_MACHINE_ARN = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:ModelImport"
ESCROW_URI = f"s3://customer-escrow-{ACCOUNT_ID}-smtj-abc123/job-name/step_100/"
MODEL_PACKAGE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT_ID}:model-package/nova-micro-support/3"
ALLOWED_KMS_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KMS_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/9999abcd-12ab-34cd-56ef-1234567890ab"

#: Environment of each function, as template.yaml sets it (sandbox values).
VALIDATE_ENV = {
    "ARTIFACT_BUCKET": BUCKET,
    "INCOMING_PREFIX": INCOMING_PREFIX,
    "TRIGGER_FILE_NAME": TRIGGER_FILE_NAME,
    "ACCOUNT_ID": ACCOUNT_ID,
    "ALLOWED_SOURCE_PREFIXES": ALLOWED_PREFIX,
    "DEFAULT_TAGS": ",".join(f"{k}={v}" for k, v in DEFAULT_TAGS.items()),
    "ALLOWED_MODEL_KMS_KEY_ARNS": ALLOWED_KMS_KEY_ARN,
    "AWS_REGION": REGION,
    "STACK_NAME": STACK_NAME,
    "DEPLOY_AFTER_IMPORT": "none",
    "MAX_PROVISIONED_MODEL_UNITS": "0",
    "SMOKE_TEST_PROMPT": "",
}
POLL_ENV = {"POLL_INTERVAL_SECONDS": "60", "IMPORT_TIMEOUT_MINUTES": "240"}
CREATE_ENV = {"IMPORT_ROLE_ARN": IMPORT_ROLE_ARN, "MODEL_KMS_KEY_ARN": "", **POLL_ENV}
POWERTOOLS_ENV = {
    "POWERTOOLS_SERVICE_NAME": "bedrock-model-import",
    "POWERTOOLS_METRICS_NAMESPACE": "BedrockModelImport",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def new_client(service: str) -> Any:
    """A boto3 client with fake credentials, from a new session created after moto's import: moto
    hooks into botocore sessions as they are created, so boto3's default session may predate it."""
    import boto3
    from moto import mock_aws  # noqa: F401

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return session.client(service)


def execution_arn(name: str = "run-1") -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:ModelImport:{name}"


def execution(name: str = "run-1") -> dict[str, str]:
    """The `execution` block StartImport adds to every step's payload."""
    return {"arn": execution_arn(name), "name": name, "startedAt": "2025-01-01T00:00:00.000Z"}


def trigger_key(folder: str) -> str:
    return f"{INCOMING_PREFIX}{folder}/{TRIGGER_FILE_NAME}"


def s3_event(
    key: str,
    bucket: str = BUCKET,
    version_id: str | None = None,
    sequencer: str | None = "0062E99A88DC407460",
) -> dict[str, Any]:
    """An S3 "Object Created" event as EventBridge delivers it."""
    obj: dict[str, Any] = {"key": key, "size": 2, "etag": "99914b932bd37a50b983c5e7c90ae93b"}
    if version_id is not None:
        obj["version-id"] = version_id
    if sequencer is not None:
        obj["sequencer"] = sequencer
    return {
        "version": "0",
        "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": ACCOUNT_ID,
        "time": "2025-01-01T00:00:00Z",
        "region": REGION,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": obj,
            "request-id": "N4N7GDK58NMKJ12R",
            "requester": ACCOUNT_ID,
            "reason": "PutObject",
        },
    }


@dataclass
class FakeLambdaContext:
    """What Powertools' Logger reads from the Lambda context."""

    function_name: str = "model-import-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:model-import-test"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
    log_group_name: str = "/aws/lambda/model-import-test"
    log_stream_name: str = "2025/01/01/[$LATEST]0000"
    remaining_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Sandbox:
    """The moto resources of one test: clients plus the names the functions are configured with."""

    s3: Any
    sns: Any
    sqs: Any
    dynamodb: Any
    bucket: str
    topic_arn: str
    queue_url: str
    ledger_table: str
    _seen: list[dict[str, Any]] = field(default_factory=list)

    def put(self, key: str, body: bytes | str = b"", bucket: str | None = None) -> dict[str, Any]:
        data = body.encode("utf-8") if isinstance(body, str) else body
        return self.s3.put_object(Bucket=bucket or self.bucket, Key=key, Body=data)

    def put_json(self, key: str, document: Any) -> dict[str, Any]:
        return self.put(key, json.dumps(document))

    def notifications(self) -> list[dict[str, Any]]:
        """Every SNS message published so far, read back through the SQS subscription:
        [{"subject", "body" (the parsed JSON message), "attributes" {name: value}}]."""
        while True:
            batch = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = batch.get("Messages", [])
            if not messages:
                break
            for message in messages:
                envelope = json.loads(message["Body"])
                self._seen.append(
                    {
                        "subject": envelope.get("Subject"),
                        "body": json.loads(envelope["Message"]),
                        "attributes": {k: v["Value"] for k, v in envelope.get("MessageAttributes", {}).items()},
                    }
                )
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return list(self._seen)
