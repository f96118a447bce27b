"""botocore errors become the named exceptions the state machine routes on."""

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from model_import.aws_errors import translate
from model_import.errors import (
    RETRYABLE,
    AwsCallFailed,
    BedrockQuotaBusy,
    DeploymentBusy,
    ModelNotReady,
    BedrockThrottled,
    BedrockUnavailable,
    LedgerUnavailable,
    NotificationUnavailable,
    S3Unavailable,
)


def _client_error(code, status=400, message="details"):
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op"
    )


@pytest.mark.parametrize(
    ("service", "code", "status", "error"),
    [
        ("bedrock", "ThrottlingException", 429, BedrockThrottled),
        ("bedrock", "InternalServerException", 500, BedrockUnavailable),
        ("bedrock", "ServiceUnavailableException", 503, BedrockUnavailable),
        ("bedrock", "SomethingNew", 502, BedrockUnavailable),
        ("bedrock", "AccessDeniedException", 403, AwsCallFailed),
        ("s3", "SlowDown", 503, S3Unavailable),
        ("s3", "503", 503, S3Unavailable),
        ("s3", "AccessDenied", 403, AwsCallFailed),
        ("sns", "Throttling", 400, NotificationUnavailable),
        ("sns", "KMSThrottlingException", 400, NotificationUnavailable),
        ("sns", "KMSDisabled", 400, AwsCallFailed),
        ("dynamodb", "ProvisionedThroughputExceededException", 400, LedgerUnavailable),
        ("dynamodb", "InternalServerError", 500, LedgerUnavailable),
        ("dynamodb", "ResourceNotFoundException", 400, AwsCallFailed),
    ],
)
def test_client_errors_map_by_code_and_status(service, code, status, error):
    translated = translate(_client_error(code, status), service, "Op")
    assert type(translated) is error
    assert code in str(translated) and "details" in str(translated)


def test_permanent_failures_say_which_call_failed():
    assert (
        str(translate(_client_error("AccessDenied", 403, "no"), "s3", "GetObject"))
        == "s3 GetObject failed: AccessDenied: no"
    )


@pytest.mark.parametrize(
    "err",
    [
        EndpointConnectionError(endpoint_url="https://bedrock"),
        ConnectTimeoutError(endpoint_url="https://bedrock"),
        ReadTimeoutError(endpoint_url="https://bedrock"),
    ],
)
def test_network_failures_are_transient(err):
    assert type(translate(err, "bedrock", "GetCustomModel")) is BedrockUnavailable


@pytest.mark.parametrize("err", [ParamValidationError(report="bad"), NoCredentialsError()])
def test_sdk_errors_that_a_retry_cannot_fix_are_not_retried(err):
    assert type(translate(err, "bedrock", "CreateCustomModel")) is AwsCallFailed


def test_other_exceptions_pass_through_unchanged():
    err = ValueError("x")
    assert translate(err, "s3", "GetObject") is err


def test_every_transient_exception_is_in_the_retryable_list():
    names = {
        cls.__name__
        for cls in (BedrockThrottled, BedrockQuotaBusy, BedrockUnavailable, S3Unavailable, NotificationUnavailable, LedgerUnavailable,
                    ModelNotReady, DeploymentBusy)
    }
    assert names == set(RETRYABLE)
    assert "AwsCallFailed" not in RETRYABLE and "ImportRejected" not in RETRYABLE and "DeploymentRejected" not in RETRYABLE
