"""Turn botocore errors into the named exceptions the state machine routes on."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError as BotoConnectionError

from model_import.errors import (
    AwsCallFailed,
    BedrockThrottled,
    LedgerUnavailable,
    BedrockUnavailable,
    NotificationUnavailable,
    S3Unavailable,
)

_TRANSIENT = {
    "bedrock": (
        {"ThrottlingException": BedrockThrottled, "TooManyRequestsException": BedrockThrottled},
        {"InternalServerException": BedrockUnavailable, "ServiceUnavailableException": BedrockUnavailable},
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


def error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def error_message(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Message", "")) or str(err)


def translate(err: Exception, service: str, action: str) -> Exception:
    """The named exception for a failed `service` call; callers `raise translate(...) from err`."""
    if isinstance(err, ClientError):
        code = error_code(err)
        throttles, outages = _TRANSIENT[service]
        named = throttles.get(code) or outages.get(code)
        if named is None and err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
            named = outages[next(iter(outages))]
        if named is not None:
            return named(f"{service} {action}: {code}: {error_message(err)}")
        return AwsCallFailed(f"{service} {action} failed: {code}: {error_message(err)}")
    if isinstance(err, (BotoConnectionError, BotoCoreError)):
        throttles, outages = _TRANSIENT[service]
        return next(iter(outages.values()))(f"{service} {action}: {type(err).__name__}: {err}")
    return err
