"""CreateModelImportJob and GetModelImportJob (Bedrock Custom Model Import), for open-weight folders.

The job imports the folder into an imported model; the loop follows the job (InProgress |
Completed | Failed, mapped onto the custom model's Creating | Active | Failed) and, once
Completed, reports the imported model's ARN as modelArn. Members and patterns: botocore's
bedrock model (CreateModelImportJob); tags go to the job and to the model (jobTags,
importedModelTags), so either is what aws:RequestTag sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model_import import aws_errors, loop
from model_import.aws_errors import error_code, error_message, translate
from model_import.errors import ImportRejected
from model_import.quotas import quota_error

if TYPE_CHECKING:
    from model_import.request import ImportRequest
    from model_import.settings import CreateSettings, PollSettings

#: GetModelImportJob's status -> the loop's modelStatus (IsModelReady routes on these).
STATUSES = {"InProgress": "Creating", "Completed": "Active", "Failed": "Failed"}
JOB_NAME_MAX = 63
_TOKEN_CHARS = 12


def job_name(request: ImportRequest) -> str:
    """<model name>-<12 hex of the request token>: unique per request, the same for a retry of it.
    jobName's pattern [a-zA-Z0-9](-*[a-zA-Z0-9\\+\\-\\.])* has no '_': it becomes '-'."""
    stem = request.model_name.replace("_", "-")[: JOB_NAME_MAX - _TOKEN_CHARS - 1]
    return f"{stem}-{request.client_request_token[:_TOKEN_CHARS]}"


def create(bedrock: Any, request: ImportRequest, settings: CreateSettings) -> dict[str, Any]:
    """Call CreateModelImportJob; return the job's ARN and the first wait, ready for the loop."""
    tags = [{"key": k, "value": v} for k, v in sorted(request.tags.items())]
    args: dict[str, Any] = {
        "jobName": job_name(request),
        "importedModelName": request.model_name,
        "roleArn": settings.import_role_arn,
        "modelDataSource": {"s3DataSource": {"s3Uri": request.source_uri}},
        "jobTags": tags,
        "importedModelTags": tags,
        # Not filled in by boto3 for this operation: without it a retried call would start a second job.
        "clientRequestToken": request.client_request_token,
    }
    kms_key = request.model_kms_key_arn or settings.model_kms_key_arn
    if kms_key:
        args["importedModelKmsKeyId"] = kms_key
    try:
        response = bedrock.create_model_import_job(**args)
    except aws_errors.ClientError as err:
        raise quota_error(bedrock, err, request, "CreateModelImportJob") or _create_error(err, request) from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "bedrock", "CreateModelImportJob") from err
    return loop.started(request.kind, None, request.model_name, settings.poll, job_arn=response["jobArn"])


def _create_error(err: aws_errors.ClientError, request: ImportRequest) -> Exception:
    code, message = error_code(err), error_message(err)
    if code == "ConflictException":
        return ImportRejected(
            f"an imported model named {request.model_name!r} already exists in this account and region "
            f"(Bedrock: {message}). Choose another modelName, or delete the old model first with "
            f"'aws bedrock delete-imported-model --model-identifier {request.model_name}'"
        )
    if code == "ValidationException":
        return ImportRejected(f"Bedrock refused the import job: {message}")
    if code == "TooManyTagsException":
        return ImportRejected(f"Bedrock refused the tags: {message}")
    return translate(err, "bedrock", "CreateModelImportJob")


def check(bedrock: Any, state: dict[str, Any], settings: PollSettings) -> dict[str, Any]:
    """Call GetModelImportJob once; return the loop's next state."""
    try:
        response = bedrock.get_model_import_job(jobIdentifier=state["jobArn"])
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "bedrock", "GetModelImportJob") from err
    status = response.get("status") or "InProgress"
    return loop.checked(
        state,
        settings,
        # A status Bedrock may add one day keeps the loop waiting, as an unknown custom-model status does.
        status=STATUSES.get(status, status),
        model_arn=response.get("importedModelArn") or state.get("modelArn"),
        model_name=response.get("importedModelName", state.get("modelName")),
        failure_message=response.get("failureMessage"),
    )
