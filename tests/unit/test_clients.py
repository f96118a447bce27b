"""boto3 clients make exactly one attempt: Step Functions owns the retries."""

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from model_import import clients


class _Headers(dict):
    pass


@pytest.fixture
def fresh_clients(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")  # the client's own config must win over this
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    boto3.DEFAULT_SESSION = None
    clients.reset()
    yield clients
    clients.reset()


def test_clients_are_configured_for_a_single_attempt(fresh_clients):
    config = fresh_clients.client("bedrock").meta.config
    assert config.retries["total_max_attempts"] == 1
    assert config.connect_timeout == 5 and config.read_timeout == 20


def test_clients_are_created_once_per_service(fresh_clients):
    assert fresh_clients.client("s3") is fresh_clients.client("s3")
    assert fresh_clients.client("s3") is not fresh_clients.client("bedrock")


@pytest.mark.parametrize(
    ("service", "call", "status", "body"),
    [
        ("bedrock", lambda c: c.get_custom_model(modelIdentifier="m"), 429, b'{"message": "slow down"}'),
        ("bedrock", lambda c: c.get_custom_model(modelIdentifier="m"), 503, b'{"message": "unavailable"}'),
        (
            "s3",
            lambda c: c.list_objects_v2(Bucket="model-import-sandbox"),
            503,
            b"<Error><Code>SlowDown</Code><Message>slow</Message></Error>",
        ),
    ],
)
def test_a_throttle_or_outage_is_sent_once_and_surfaces_at_once(fresh_clients, service, call, status, body):
    from botocore.exceptions import ClientError

    client = fresh_clients.client(service)
    attempts = []

    def answer(request, **_):
        attempts.append(request.url)
        headers = {"x-amzn-ErrorType": "ThrottlingException" if status == 429 else "ServiceUnavailableException"}
        return AWSResponse(request.url, status, headers, _Raw(body))

    client.meta.events.register(f"before-send.{client.meta.service_model.endpoint_prefix}", answer)
    with pytest.raises(ClientError) as caught:
        call(client)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert len(attempts) == 1
    assert caught.value.response["ResponseMetadata"].get("RetryAttempts", 0) == 0


class _Raw:
    def __init__(self, body):
        self._body = body

    def stream(self, **_):
        yield self._body

    def read(self, *_):
        return self._body


def _sdk_without(monkeypatch, service: str, operation: str) -> None:
    """The default boto3 session builds `service` clients without `operation`, as an older botocore would."""
    session = boto3.Session()
    session.events.register(f"creating-client-class.{service}",
                            lambda class_attributes, **_: class_attributes.pop(operation, None))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", session)


def test_an_operation_the_sdk_lacks_fails_as_a_named_error_with_the_version_and_the_fix(fresh_clients, monkeypatch):
    import botocore

    from model_import.errors import AwsSdkTooOld

    _sdk_without(monkeypatch, "bedrock", "create_custom_model")
    bedrock = fresh_clients.client("bedrock")
    with pytest.raises(AwsSdkTooOld) as caught:
        bedrock.create_custom_model(modelName="m", modelSourceConfig={}, roleArn="arn:aws:iam::123456789012:role/r")
    message = str(caught.value)
    assert f"botocore {botocore.__version__}" in message and "no operation create_custom_model" in message
    assert "layers/common/requirements.txt" in message
    assert type(caught.value).__name__ == "AwsSdkTooOld"  # the error type Lambda reports, never AttributeError
    assert hasattr(bedrock, "get_custom_model")  # the operations it has are untouched
    assert not hasattr(bedrock, "create_custom_model")  # hasattr() still answers
    with pytest.raises(AttributeError) as private:
        bedrock._not_an_operation  # noqa: B018 - a private name is not an operation: the usual error
    assert type(private.value) is AttributeError


def test_the_runtime_client_waits_for_a_long_completion_and_the_smoke_test_outlasts_it(fresh_clients):
    """A 4,096-token smoke test of a large model can take minutes: bedrock-runtime gets more than
    botocore's default 60 s, the function more than that, and RunSmokeTest more than the function."""
    import json
    from pathlib import Path

    from tests.template.loading import load_template

    template = load_template()
    runtime = fresh_clients.client("bedrock-runtime").meta.config.read_timeout
    function = template["Resources"]["SmokeTestFunction"]["Properties"]["Timeout"]
    asl = json.loads((Path(__file__).resolve().parents[2] / "statemachine" / "model_import.asl.json").read_text())
    task = asl["States"]["RunSmokeTest"]["TimeoutSeconds"]
    assert 60 < runtime < function < task
    assert fresh_clients.client("bedrock").meta.config.read_timeout == 20  # control-plane calls stay short
