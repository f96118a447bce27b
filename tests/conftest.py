"""Fixtures shared by the unit, handler and corpus tests (tests/workflow and tests/template
have their own conftest files)."""

from __future__ import annotations

import os

import pytest

from tests import support

# The template's Globals; Powertools reads them when model_import.observability is first imported.
for _name, _value in support.POWERTOOLS_ENV.items():
    os.environ.setdefault(_name, _value)


@pytest.fixture
def lambda_context() -> support.FakeLambdaContext:
    return support.FakeLambdaContext()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, so no test can reach a real account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": support.REGION,
        "AWS_REGION": support.REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def validate_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in support.VALIDATE_ENV.items():
        monkeypatch.setenv(name, value)
    return dict(support.VALIDATE_ENV)


@pytest.fixture
def create_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in support.CREATE_ENV.items():
        monkeypatch.setenv(name, value)
    return dict(support.CREATE_ENV)


@pytest.fixture
def poll_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in support.POLL_ENV.items():
        monkeypatch.setenv(name, value)
    return dict(support.POLL_ENV)


@pytest.fixture
def publish_env(monkeypatch: pytest.MonkeyPatch, aws: support.Sandbox) -> dict[str, str]:
    env = {"TOPIC_ARN": aws.topic_arn, "LEDGER_TABLE": aws.ledger_table}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def validate_settings():
    from model_import.settings import ValidateSettings

    return ValidateSettings.from_env(support.VALIDATE_ENV)


@pytest.fixture(scope="session")
def _test_clients() -> dict:
    """One boto3 client per service for the whole run (creating clients is the slow part of a
    moto test). moto intercepts them whenever a mock is active; tests that register event hooks
    or stubs on a client must undo them, or use support.new_client()."""
    return {service: support.new_client(service) for service in ("s3", "sns", "sqs", "dynamodb")}


@pytest.fixture
def aws(aws_env: None, _test_clients: dict):
    """moto S3 (the versioned artifact bucket), SNS (a topic without KMS, subscribed by an SQS
    queue to read messages back) and DynamoDB (the ledger table, key `pk`)."""
    import boto3
    from moto import mock_aws

    from model_import import clients

    s3, sns, sqs, dynamodb = (_test_clients[name] for name in ("s3", "sns", "sqs", "dynamodb"))
    with mock_aws():
        # The functions' clients come from boto3's default session; one created before moto was
        # imported would bypass the mock, so the handlers get a fresh one.
        boto3.DEFAULT_SESSION = None
        clients.reset()
        s3.create_bucket(Bucket=support.BUCKET)
        s3.put_bucket_versioning(Bucket=support.BUCKET, VersioningConfiguration={"Status": "Enabled"})
        topic_arn = sns.create_topic(Name=support.TOPIC_NAME)["TopicArn"]
        queue_url = sqs.create_queue(QueueName="model-import-results-reader")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        dynamodb.create_table(
            TableName=support.LEDGER_TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield support.Sandbox(
            s3=s3,
            sns=sns,
            sqs=sqs,
            dynamodb=dynamodb,
            bucket=support.BUCKET,
            topic_arn=topic_arn,
            queue_url=queue_url,
            ledger_table=support.LEDGER_TABLE,
        )
        clients.reset()
