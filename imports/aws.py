"""boto3 clients with the user's credentials and region, and AWS errors turned into one line.

boto3 reads AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) itself, so the same command works
against the sandbox's endpoint. Clients retry throttles in the SDK's standard mode: a listing
makes many read calls, and a throttled one is worth retrying here (unlike in the handlers)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from imports.errors import StatusError


class Clients:
    def __init__(self, region: str | None = None, profile: str | None = None) -> None:
        import boto3
        from botocore.config import Config

        try:
            self.session = boto3.session.Session(region_name=region, profile_name=profile)
        except Exception as err:  # botocore.exceptions.ProfileNotFound and friends
            raise StatusError(f"cannot use AWS profile {profile!r}: {err}") from err
        if not self.session.region_name:
            raise StatusError("no AWS region: pass --region or set AWS_DEFAULT_REGION (or a region in your AWS profile)")
        self.region: str = self.session.region_name
        # Standard mode: 3 attempts unless AWS_MAX_ATTEMPTS (or the profile's max_attempts) says otherwise.
        self._config = Config(retries={"mode": "standard"}, user_agent_extra="model-import-status")
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, config=self._config)
        return self._clients[service]


def error_code(err: Exception) -> str:
    return str(getattr(err, "response", {}).get("Error", {}).get("Code", ""))


@contextlib.contextmanager
def one_line_errors() -> Iterator[None]:
    """AWS failures the user can act on become a StatusError with one line."""
    from botocore import exceptions

    try:
        yield
    except exceptions.NoCredentialsError as err:
        raise StatusError("no AWS credentials found: run 'aws configure' or 'aws sso login', or set AWS_PROFILE") from err
    except exceptions.NoRegionError as err:
        raise StatusError("no AWS region: pass --region or set AWS_DEFAULT_REGION") from err
    except (exceptions.EndpointConnectionError, exceptions.ConnectTimeoutError) as err:
        raise StatusError(f"cannot reach AWS: {err}") from err
    except exceptions.ClientError as err:
        code = error_code(err)
        message = getattr(err, "response", {}).get("Error", {}).get("Message", str(err))
        operation = getattr(err, "operation_name", "an AWS call")
        if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException", "InvalidSignatureException"):
            raise StatusError(f"your AWS credentials were refused ({code}): refresh them, e.g. 'aws sso login'") from err
        if code in ("AccessDenied", "AccessDeniedException"):
            raise StatusError(f"access denied for {operation}: your identity needs it on this stack's resources ({message})") from err
        raise StatusError(f"{operation} failed: {code}: {message}") from err
    except exceptions.BotoCoreError as err:
        raise StatusError(f"AWS call failed: {err}") from err
