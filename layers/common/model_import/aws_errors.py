"""Turn botocore errors into the named exceptions the state machine routes on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model_import.errors import (
    AwsCallFailed,
    BedrockThrottled,
    LedgerUnavailable,
    BedrockUnavailable,
    NotificationUnavailable,
    S3Unavailable,
)

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

_TRANSIENT = {
    "bedrock": (
        {"ThrottlingException": BedrockThrottled, "TooManyRequestsException": BedrockThrottled},
        {"InternalServerException": BedrockUnavailable, "ServiceUnavailableException": BedrockUnavailable},
    ),
    # ModelNotReadyException (429, a model loading) is not here: smoke_test.py raises ModelNotReady for it.
    "bedrock-runtime": (
        {"ThrottlingException": BedrockThrottled},
        {"InternalServerException": BedrockUnavailable, "ServiceUnavailableException": BedrockUnavailable,
         "ModelTimeoutException": BedrockUnavailable},
    ),
    "s3": (
        {"SlowDown": S3Unavailable, "Throttling": S3Unavailable, "RequestLimitExceeded": S3Unavailable},
        {"InternalError": S3Unavailable, "ServiceUnavailable": S3Unavailable, "503": S3Unavailable},
    ),
    "sns": (
        {"Throttling": NotificationUnavailable, "ThrottlingException": NotificationUnavailable,
         "KMSThrottling": NotificationUnavailable, "KMSThrottlingException": NotificationUnavailable},
        {"InternalError": NotificationUnavailable, "InternalErrorException": NotificationUnavailable,
         "ServiceUnavailable": NotificationUnavailable, "KMSInternal": NotificationUnavailable},
    ),
    "dynamodb": (
        {"ProvisionedThroughputExceededException": LedgerUnavailable, "ThrottlingException": LedgerUnavailable,
         "RequestLimitExceeded": LedgerUnavailable},
        {"InternalServerError": LedgerUnavailable, "ServiceUnavailable": LedgerUnavailable},
    ),
}

_BOTOCORE_NAMES = ("BotoCoreError", "ClientError")


def __getattr__(name: str) -> Any:
    """`aws_errors.ClientError` and `aws_errors.BotoCoreError`, imported from botocore on first use.

    Handlers catch them as `except aws_errors.ClientError`, which Python looks up only when an
    exception is being matched - after boto3 has loaded botocore anyway. Importing a handler
    module then costs no botocore (~2.5 ms of its cold start; bench/cold_start.py measures it).
    """
    if name in _BOTOCORE_NAMES:
        from botocore import exceptions

        return getattr(exceptions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def error_message(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Message", "")) or str(err)


def translate(err: Exception, service: str, action: str) -> Exception:
    """The named exception for a failed `service` call; callers `raise translate(...) from err`."""
    from botocore.exceptions import BotoCoreError, ClientError, ConnectionError as BotoConnectionError, HTTPClientError

    if isinstance(err, ClientError):
        code = error_code(err)
        throttles, outages = _TRANSIENT[service]
        named = throttles.get(code) or outages.get(code)
        if named is None and err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
            named = outages[next(iter(outages))]
        if named is not None:
            return named(f"{service} {action}: {code}: {error_message(err)}")
        return AwsCallFailed(f"{service} {action} failed: {code}: {error_message(err)}")
    if isinstance(err, (BotoConnectionError, HTTPClientError)):
        # Connection failures and timeouts: the service may answer the next attempt.
        throttles, outages = _TRANSIENT[service]
        return next(iter(outages.values()))(f"{service} {action}: {type(err).__name__}: {err}")
    if isinstance(err, BotoCoreError):
        # Parameter validation, missing credentials, ...: retrying the same call cannot help.
        return AwsCallFailed(f"{service} {action} failed: {type(err).__name__}: {err}")
    return err
