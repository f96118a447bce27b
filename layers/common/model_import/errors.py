"""Named exceptions. Lambda reports the class name as the error type, and the state machine's
Retry and Catch clauses route on these exact names (see statemachine/model_import.asl.json)."""

from __future__ import annotations


class ImportRejected(Exception):
    """The request cannot be imported as given (bad input, name taken). Not retried.

    The message is the reason shown to the user: what is wrong and how to fix it. It is cut to
    REASON_MAX characters, so that no input, however large, makes the error (and with it the
    state, which Step Functions limits to 256 KiB) large: each reason shortens what it quotes, and
    this is the backstop.
    """

    REASON_MAX = 2000

    def __init__(self, reason: str) -> None:
        text = str(reason)
        super().__init__(text if len(text) <= self.REASON_MAX else text[: self.REASON_MAX - 3] + "...")


class DeploymentRejected(ImportRejected):
    """Bedrock refused to make the Active model invocable as asked (the model is not eligible for an
    on-demand deployment, the deployment name is taken or belongs to another stack, a quota), or the
    stack's cost guard refused it. Not retried: the deployment is recorded as failed, the model stays.

    A subclass of ImportRejected for its length bound only; the state machine routes on this name
    (StartDeployment's Catch), never on ImportRejected, after the model is Active.
    """


class ModelNotReady(Exception):
    """bedrock-runtime answered ModelNotReadyException: the model or deployment is still loading
    (an imported model warms up after import or after idling). Retried by RunSmokeTest with backoff."""


class BedrockThrottled(Exception):
    """Bedrock answered ThrottlingException. Retried by the state machine with backoff."""


class BedrockQuotaBusy(Exception):
    """Bedrock's concurrent-import quota is full (another stack, a lowered quota): retried with a long
    backoff, since imports finishing elsewhere clear it (model_import/quotas.py)."""


class DeploymentBusy(Exception):
    """This stack's deployment of the requested name is still Creating or being Updated (another import
    of the same deploy.name got there first): StartDeployment retries with a long backoff, then points
    the deployment at this model once it is Active (Bedrock updates only an Active deployment)."""


class BedrockUnavailable(Exception):
    """Bedrock answered InternalServerException or ServiceUnavailableException. Retried."""


class S3Unavailable(Exception):
    """S3 answered SlowDown, InternalError or ServiceUnavailable. Retried."""


class NotificationUnavailable(Exception):
    """SNS (or the topic's KMS key) failed transiently. Retried."""


class LedgerUnavailable(Exception):
    """The DynamoDB ledger that keeps notifications unique failed transiently. Retried."""


class AwsCallFailed(Exception):
    """An AWS error the workflow cannot get past (access denied, missing resource, quota).

    Caught by the state machine and reported with outcome ERROR.
    """


class AwsSdkTooOld(AttributeError):
    """The function's boto3/botocore has no method for an operation the code calls: that SDK predates
    the operation. Not retried (outcome ERROR); the message names the botocore version and the fix.

    A subclass of AttributeError only so that hasattr() on a client keeps working; Lambda reports
    this class's name as the error type, never a bare AttributeError.
    """


class ConfigurationError(Exception):
    """An environment variable the function needs is missing or malformed (fails at init)."""


#: Error names the state machine retries; tests check the ASL against this list.
RETRYABLE = ("BedrockThrottled", "ModelNotReady", "BedrockQuotaBusy", "DeploymentBusy", "BedrockUnavailable", "S3Unavailable", "NotificationUnavailable", "LedgerUnavailable")
