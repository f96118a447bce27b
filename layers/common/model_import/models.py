"""CreateCustomModel and GetCustomModel, with Bedrock's answers mapped to named outcomes.

One request kind, one source member: an escrow checkpoint is `modelSourceConfig.s3DataSource`
(with the service role that reads it), a SageMaker model package is
`customModelDataSource.modelPackageArnDataSource` (Bedrock resolves it with the caller's rights:
sagemaker:DescribeModelPackage and sagemaker:AccessModelPackageData, API_ModelPackageArnDataSource).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model_import import aws_errors
from model_import.aws_errors import error_code, error_message, translate
from model_import.errors import ImportRejected
from model_import.polling import PollState, deadline_reached, next_wait
from model_import.kinds import KIND_MODEL_PACKAGE

if TYPE_CHECKING:  # annotations only: CheckModelStatus imports no request or settings classes it never uses
    from model_import.request import ImportRequest
    from model_import.settings import CreateSettings, PollSettings


def create_model(bedrock: Any, request: ImportRequest, settings: CreateSettings) -> dict[str, Any]:
    """Call CreateCustomModel; return the model's ARN and the first wait, ready for the loop."""
    args: dict[str, Any] = {
        "modelName": request.model_name,
        "modelTags": [{"key": k, "value": v} for k, v in sorted(request.tags.items())],
        "clientRequestToken": request.client_request_token,
    }
    if request.kind == KIND_MODEL_PACKAGE:
        args["customModelDataSource"] = {"modelPackageArnDataSource": {"modelPackageArn": request.model_package_arn}}
    else:
        args["modelSourceConfig"] = {"s3DataSource": {"s3Uri": request.source_uri}}
        args["roleArn"] = settings.import_role_arn
    # The key the request named (one of AllowedModelKmsKeyArns: SageMaker encrypted the checkpoint with
    # it) wins over the stack's ModelKmsKeyArn; the import role may use both.
    kms_key = request.model_kms_key_arn or settings.model_kms_key_arn
    if kms_key:
        args["modelKmsKeyArn"] = kms_key
    try:
        response = bedrock.create_custom_model(**args)
    except aws_errors.ClientError as err:
        raise _create_error(err, request) from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "bedrock", "CreateCustomModel") from err
    wait = next_wait(PollState(checks=0, waited_seconds=0), settings.poll)
    return {
        "modelArn": response["modelArn"],
        "modelName": request.model_name,
        "modelStatus": "Creating",
        "failureMessage": None,
        "checks": 0,
        # waitedSeconds counts the Wait state that follows, so the next check sees it.
        "waitedSeconds": wait,
        "waitSeconds": wait,
        "deadlineReached": False,
    }


def _create_error(err: aws_errors.ClientError, request: ImportRequest) -> Exception:
    code, message = error_code(err), error_message(err)
    if code == "ConflictException":
        return ImportRejected(
            f"a custom model named {request.model_name!r} already exists in this account and region "
            f"(Bedrock: {message}). Choose another modelName, or delete the old model first with "
            f"'aws bedrock delete-custom-model --model-identifier {request.model_name}'"
        )
    if code == "ValidationException":
        return ImportRejected(f"Bedrock refused the request: {message}")
    if code == "TooManyTagsException":
        return ImportRejected(f"Bedrock refused the tags: {message}")
    return translate(err, "bedrock", "CreateCustomModel")


FINAL_STATUSES = ("Active", "Failed")


def check_model(bedrock: Any, model: dict[str, Any], settings: PollSettings) -> dict[str, Any]:
    """Call GetCustomModel once; return the loop's next state (status, counters, next wait)."""
    try:
        response = bedrock.get_custom_model(modelIdentifier=model["modelArn"])
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "bedrock", "GetCustomModel") from err
    state = PollState(checks=int(model.get("checks", 0)) + 1, waited_seconds=int(model.get("waitedSeconds", 0)))
    status = response.get("modelStatus") or "Creating"
    # Anything but a final status (Active, Failed) keeps waiting, a status Bedrock may add one day
    # included: IsModelReady sends it back to WaitBeforeCheck, which must then really wait.
    in_progress = status not in FINAL_STATUSES
    reached = in_progress and deadline_reached(state, settings)
    wait = next_wait(state, settings) if in_progress and not reached else 0
    return {
        "modelArn": response.get("modelArn", model["modelArn"]),
        "modelName": response.get("modelName", model.get("modelName")),
        "modelStatus": status,
        "failureMessage": response.get("failureMessage"),
        "checks": state.checks,
        # The Wait state that follows sleeps waitSeconds; count it now so the deadline is exact.
        "waitedSeconds": state.waited_seconds + wait,
        "waitSeconds": wait,
        "deadlineReached": reached,
    }
