"""CreateCustomModel and GetCustomModel, with Bedrock's answers mapped to named outcomes.

Two request kinds, one source member each: an escrow checkpoint is `modelSourceConfig.s3DataSource`
(with the service role that reads it), a SageMaker model package is
`customModelDataSource.modelPackageArnDataSource` (Bedrock resolves it with the caller's rights:
sagemaker:DescribeModelPackage and sagemaker:AccessModelPackageData, API_ModelPackageArnDataSource).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model_import import aws_errors, loop
from model_import.aws_errors import error_code, error_message, translate
from model_import.errors import ImportRejected
from model_import.kinds import KIND_MODEL_PACKAGE
from model_import.quotas import quota_error

if TYPE_CHECKING:  # annotations only: CheckModelStatus imports no request or settings classes it never uses
    from model_import.request import ImportRequest
    from model_import.settings import CreateSettings, PollSettings


def create(bedrock: Any, request: ImportRequest, settings: CreateSettings) -> dict[str, Any]:
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
        raise quota_error(bedrock, err, request) or _create_error(err, request) from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "bedrock", "CreateCustomModel") from err
    return loop.started(request.kind, response["modelArn"], request.model_name, settings.poll)


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
    if code == "ResourceNotFoundException" and request.model_package_arn:
        return ImportRejected(
            f"Bedrock cannot find the model package {request.model_package_arn} ({message}); check the ARN with "
            f"'aws sagemaker describe-model-package --model-package-name {request.model_package_arn}'"
        )
    if code == "TooManyTagsException":
        return ImportRejected(f"Bedrock refused the tags: {message}")
    return translate(err, "bedrock", "CreateCustomModel")


def check(bedrock: Any, model: dict[str, Any], settings: PollSettings) -> dict[str, Any]:
    """Call GetCustomModel once; return the loop's next state (status, counters, next wait)."""
    try:
        response = bedrock.get_custom_model(modelIdentifier=model["modelArn"])
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "bedrock", "GetCustomModel") from err
    return loop.checked(
        model,
        settings,
        status=response.get("modelStatus") or "Creating",
        model_arn=response.get("modelArn", model["modelArn"]),
        model_name=response.get("modelName", model.get("modelName")),
        failure_message=response.get("failureMessage"),
    )
