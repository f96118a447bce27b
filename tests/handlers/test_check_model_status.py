"""functions/check_model_status/app.py with Bedrock stubbed: one GetCustomModel per invocation."""

import pytest

from tests.support import POLL_ENV, execution

MODEL_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abc123"


@pytest.fixture
def handler(load_handler, aws):
    return load_handler(
        "check_model_status", {**POLL_ENV, "POLL_INTERVAL_SECONDS": "60", "IMPORT_TIMEOUT_MINUTES": "5"}
    )


def _invoke(handler, lambda_context, checks, waited):
    model = {
        "modelArn": MODEL_ARN,
        "modelName": "m",
        "modelStatus": "Creating",
        "checks": checks,
        "waitedSeconds": waited,
    }
    return handler.lambda_handler({"model": model, "execution": execution()}, lambda_context)


def _status(stub, status, **extra):
    response = {
        "modelArn": MODEL_ARN,
        "modelName": "m",
        "creationTime": "2025-01-01T00:00:00Z",
        "modelStatus": status,
        **extra,
    }
    stub.add_response("get_custom_model", response, {"modelIdentifier": MODEL_ARN})


def test_creating_waits_again(handler, bedrock_stub, lambda_context):
    _status(bedrock_stub, "Creating")
    model = _invoke(handler, lambda_context, 0, 60)
    assert (model["modelStatus"], model["checks"], model["waitSeconds"], model["deadlineReached"]) == (
        "Creating",
        1,
        60,
        False,
    )


def test_creating_at_the_deadline_reports_it(handler, bedrock_stub, lambda_context):
    _status(bedrock_stub, "Creating")
    assert _invoke(handler, lambda_context, 4, 300)["deadlineReached"] is True


def test_failed_carries_the_failure_message(handler, bedrock_stub, lambda_context):
    _status(bedrock_stub, "Failed", failureMessage="unsupported architecture")
    model = _invoke(handler, lambda_context, 1, 120)
    assert (model["modelStatus"], model["failureMessage"]) == ("Failed", "unsupported architecture")


@pytest.mark.parametrize(
    ("code", "status", "name"),
    [
        ("ThrottlingException", 429, "BedrockThrottled"),
        ("InternalServerException", 500, "BedrockUnavailable"),
        ("ServiceUnavailableException", 503, "BedrockUnavailable"),
        ("AccessDeniedException", 403, "AwsCallFailed"),
    ],
)
def test_bedrock_errors_raise_named_exceptions(handler, bedrock_stub, lambda_context, code, status, name):
    bedrock_stub.add_client_error("get_custom_model", code, "boom", status)
    with pytest.raises(Exception) as caught:
        _invoke(handler, lambda_context, 0, 60)
    assert type(caught.value).__name__ == name
