"""Bedrock's documented rules beyond the request shapes, as the emulated service applies them.

Shapes (lengths, patterns, enums, unions) come from botocore's service model (service_model.py);
what the model cannot say is here, each rule with a stable id (EMULATOR_RULES) so that tests can
pair it with the workflow validator's rejection of the same input. Where the documentation is
open to two readings, the stricter one is emulated (marked "stricter reading").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

API = "https://docs.aws.amazon.com/bedrock/latest/APIReference/"


@dataclass(frozen=True)
class Rule:
    id: str
    error: str  # the error code the caller gets, or "Failed": accepted, then the import fails
    summary: str
    source: str


SERVICE_MODEL = Rule(
    "service-model", "ValidationException",
    "the request breaks its input shape in botocore's service model (required, type, length, range, pattern, enum, union)",
    "botocore/data/bedrock/2023-04-20/service-2.json",
)  # fmt: skip
ONE_MODEL_SOURCE = Rule(
    "one-model-source", "ValidationException",
    "CreateCustomModel takes exactly one of modelSourceConfig and customModelDataSource",
    API + "API_CreateCustomModel.html (\"You can specify either customModelDataSource or modelSourceConfig, but not both\")",
)  # fmt: skip
S3_SOURCE_NEEDS_ROLE = Rule(
    "s3-source-needs-role", "ValidationException",
    "an S3 model source needs roleArn (the role Bedrock assumes to read it)",
    API + "API_CreateCustomModel.html (roleArn); userguide/create-custom-model-sdks.html",
)  # fmt: skip
ESCROW_BUCKET = Rule(
    "escrow-bucket", "ValidationException",
    "modelSourceConfig.s3DataSource.s3Uri must be in the caller's Amazon-managed escrow bucket "
    "customer-escrow-<account>-smtj-<id> (training jobs) or customer-escrow-<account>-hp-<id> (HyperPod)",
    API + "API_S3DataSource.html (\"the Amazon-managed Amazon S3 bucket containing your model artifacts\"); bucket "
    "names: aws/amzn-nova-customization-sdk util/platform_util.py. Same account: stricter reading",
)  # fmt: skip
MODEL_PACKAGE_ACCOUNT = Rule(
    "model-package-in-caller-account", "ValidationException",
    "customModelDataSource.modelPackageArnDataSource.modelPackageArn must name a model package in the caller's region and account",
    API + "API_ModelPackageArnDataSource.html (stricter reading: no cross-account or cross-region package)",
)  # fmt: skip
MODEL_PACKAGE_EXISTS = Rule(
    "model-package-exists", "ResourceNotFoundException",
    "the SageMaker model package must exist",
    API + "API_CreateCustomModel.html#API_CreateCustomModel_Errors (ResourceNotFoundException: the ARN was not found)",
)  # fmt: skip
MODEL_PACKAGE_RESTRICTED = Rule(
    "model-package-restricted", "ValidationException",
    "the model package must be of the restricted type (CreateModelPackage ManagedStorageType=Restricted)",
    API + "API_ModelPackageArnDataSource.html (\"The ARN must be for a model package of restricted type\"); "
    "error code not documented: ValidationException assumed",
)  # fmt: skip
RESERVED_TAG_PREFIX = Rule(
    "reserved-tag-prefix", "ValidationException",
    "tag keys and values may not start with aws: in any case (reserved for AWS use)",
    "AWS tag restrictions, e.g. https://docs.aws.amazon.com/batch/latest/userguide/tag-restrictions.html (\"Don't use aws:, "
    "AWS:, or any upper or lowercase combination ... for either keys or values\"); Bedrock's own Data Automation Tag key "
    "pattern starts (?!aws:). Bedrock's custom-model pages say nothing: the common rule, values included, is the stricter reading",
)  # fmt: skip
TAG_COUNT = Rule(
    "tag-count", "ValidationException",
    "at most 50 tags per resource (the model allows 200 in a list; the service's limit is 50)",
    "https://docs.aws.amazon.com/batch/latest/userguide/tag-restrictions.html (\"Maximum number of tags per resource - 50\"); "
    "the service's own error text (domain.md)",
)  # fmt: skip
UNIQUE_TAG_KEYS = Rule(
    "unique-tag-keys", "ValidationException",
    "each tag key at most once per resource",
    "https://docs.aws.amazon.com/batch/latest/userguide/tag-restrictions.html (\"each tag key must be unique\")",
)  # fmt: skip
NAME_TAKEN = Rule(
    "name-taken", "ConflictException",
    "a custom model name is unique in the account and region (a repeated clientRequestToken is not a conflict)",
    API + "API_CreateCustomModel.html#API_CreateCustomModel_Errors",
)  # fmt: skip
EMPTY_SOURCE = Rule(
    "empty-source", "Failed",
    "an S3 source with no objects is accepted, and the import then fails (modelStatus Failed, with a failureMessage)",
    API + "API_GetCustomModel.html (failureMessage)",
)  # fmt: skip

# ---- after Active: deployments (sandbox/deployments.py), Provisioned Throughput (provisioned.py),
# invocation (runtime.py). Error codes: those botocore's model lists for the operation; where the
# documentation names none for a case, the stricter reading (a refusal) and the code said.
DEPLOYMENT_MODEL_EXISTS = Rule(
    "deployment-model-exists", "ResourceNotFoundException",
    "CreateCustomModelDeployment / UpdateCustomModelDeployment: modelArn must name a custom model of the caller's account and region",
    API + "API_CreateCustomModelDeployment.html#API_CreateCustomModelDeployment_Errors (ResourceNotFoundException)",
)  # fmt: skip
DEPLOYMENT_MODEL_ACTIVE = Rule(
    "deployment-model-active", "ValidationException",
    "the custom model to deploy (or to update a deployment to) must be Active",
    "userguide/deploy-custom-model-on-demand.html (deploy a model whose status is Active); error code not documented: "
    "ValidationException, the stricter reading",
)  # fmt: skip
DEPLOYMENT_NAME_TAKEN = Rule(
    "deployment-name-taken", "ValidationException",
    "a custom model deployment name is unique in the account and region (a repeated clientRequestToken is not a conflict)",
    API + "API_CreateCustomModelDeployment.html (its errors list no ConflictException: ValidationException assumed)",
)  # fmt: skip
UPDATE_DEPLOYMENT_ACTIVE = Rule(
    "update-deployment-active", "ValidationException",
    "UpdateCustomModelDeployment needs a deployment that is Active with no update in progress",
    API + "API_UpdateCustomModelDeployment.html; the state rule and its code are not documented: the stricter reading",
)  # fmt: skip
DEPLOYMENT_BUSY = Rule(
    "deployment-busy", "ConflictException",
    "a deployment still Creating or Updating cannot be deleted",
    API + "API_DeleteCustomModelDeployment.html#API_DeleteCustomModelDeployment_Errors (ConflictException); when: stricter reading",
)  # fmt: skip
THROUGHPUT_MODEL_EXISTS = Rule(
    "throughput-model-exists", "ResourceNotFoundException",
    "CreateProvisionedModelThroughput: modelId must name a custom model of the caller's account and region",
    API + "API_CreateProvisionedModelThroughput.html#API_CreateProvisionedModelThroughput_Errors",
)  # fmt: skip
THROUGHPUT_MODEL_ACTIVE = Rule(
    "throughput-model-active", "ValidationException",
    "Provisioned Throughput is bought for an Active custom model",
    "userguide/custom-model-use-pt.html; error code not documented: ValidationException, the stricter reading",
)  # fmt: skip
THROUGHPUT_FOUNDATION_MODEL = Rule(
    "throughput-foundation-model", "ValidationException",
    "the sandbox hosts no foundation models: Provisioned Throughput only for its custom models (stricter than AWS)",
    "sandbox limitation; AWS sells throughput for some base models (userguide/prov-thru-supported.html)",
)  # fmt: skip
THROUGHPUT_NAME_TAKEN = Rule(
    "throughput-name-taken", "ValidationException",
    "a Provisioned Throughput name is unique in the account and region",
    API + "API_CreateProvisionedModelThroughput.html (its errors list no ConflictException: ValidationException assumed)",
)  # fmt: skip
MODEL_UNITS_QUOTA = Rule(
    "model-units-quota", "ServiceQuotaExceededException",
    "the account's model units for Provisioned Throughput: by default 1 per no-commitment throughput of a custom model, "
    "2 such throughputs per account, none with a commitment; or an account total (--quota model-units=U)",
    "userguide/prov-throughput.html (model unit quotas); prov-thru-purchase.html (MUs are requested from AWS Support first); "
    "ServiceQuotaExceededException: botocore's model for CreateProvisionedModelThroughput",
)  # fmt: skip
INVOKE_CUSTOM_MODEL = Rule(
    "invoke-custom-model", "ValidationException",
    "a custom model is invoked through its deployment or Provisioned Throughput, never by its own ARN",
    "userguide/inference-invoke.html (\"Custom model - Purchase Provisioned Throughput for the custom model ... and find the "
    "model ID or ARN of the provisioned model\"); a custom-model/imported/ ARN already fails the modelId pattern",
)  # fmt: skip
INVOKE_UNKNOWN_MODEL = Rule(
    "invoke-unknown-model", "ResourceNotFoundException",
    "the deployment, Provisioned Throughput or imported model the modelId names must exist in the caller's account and region",
    API + "API_runtime_InvokeModel.html#API_runtime_InvokeModel_Errors (ResourceNotFoundException)",
)  # fmt: skip
INVOKE_FOUNDATION_MODEL = Rule(
    "invoke-foundation-model", "ValidationException",
    "the sandbox hosts no foundation models or inference profiles (stricter than AWS)",
    "sandbox limitation; AWS's answer to a model id it cannot serve: \"The provided model identifier is invalid.\"",
)  # fmt: skip
INVOKE_NOT_READY = Rule(
    "invoke-not-ready", "ValidationException",
    "a deployment must be Active (or updating), a Provisioned Throughput InService, before it answers",
    "userguide/deploy-custom-model-on-demand.html, prov-thru-use.html (use it once Active / InService); the code is not "
    "documented: ValidationException, the stricter reading (ModelNotReadyException is for a warming model and is retried)",
)  # fmt: skip
INVOKE_BODY_FORMAT = Rule(
    "invoke-body-format", "ValidationException",
    "an InvokeModel body must be JSON in the model's own format (Nova messages-v1; imported: by architecture)",
    "userguide/model-parameters-nova (messages-v1), model-parameters-meta (Llama: prompt, max_gen_len), invoke-imported-model.html",
)  # fmt: skip
CONVERSE_NEEDS_CHAT_TEMPLATE = Rule(
    "converse-needs-chat-template", "ValidationException",
    "Converse on an imported model needs a chat template in its tokenizer_config.json (instructSupported true)",
    "userguide/custom-model-import-code-samples-converse.html (\"make sure to include the chat_template\"); "
    "the code is not documented: ValidationException, the stricter reading",
)  # fmt: skip

# ---- Custom Model Import (sandbox/import_jobs.py): CreateModelImportJob and the jobs and imported
# models it makes. roleArn, jobName, importedModelName and modelDataSource are required by the
# service model (the "service-model" rule refuses a request without one).
IMPORTED_MODEL_NAME_TAKEN = Rule(
    "imported-model-name-taken", "ConflictException",
    "an imported model name is unique in the account and region, also while a job is still importing it "
    "(a repeated clientRequestToken returns the first job instead)",
    API + "API_CreateModelImportJob.html#API_CreateModelImportJob_Errors (ConflictException); refused while a job is "
    "InProgress too: the stricter reading",
)  # fmt: skip
IMPORT_JOB_NAME_TAKEN = Rule(
    "import-job-name-taken", "ConflictException",
    "a model import job name is unique in the account and region",
    API + "API_CreateModelImportJob.html#API_CreateModelImportJob_Errors (ConflictException: \"a conflict while performing "
    "an operation\"); which name: not documented, both are checked (stricter reading)",
)  # fmt: skip
IMPORT_EMPTY_SOURCE = Rule(
    "import-empty-source", "Failed",
    "a job whose S3 source holds no objects is accepted, and then fails (status Failed, with a failureMessage)",
    API + "API_GetModelImportJob.html (failureMessage); userguide/model-customization-import-model.html (the files are read "
    "when the job runs); accepted-then-failed like CreateCustomModel's empty source, not a refusal: the stricter reading for a workflow",
)  # fmt: skip
IMPORT_JOB_EXISTS = Rule(
    "import-job-exists", "ResourceNotFoundException",
    "GetModelImportJob: the job (name or ARN) must exist in the caller's account and region",
    API + "API_GetModelImportJob.html#API_GetModelImportJob_Errors (ResourceNotFoundException)",
)  # fmt: skip
IMPORTED_MODEL_EXISTS = Rule(
    "imported-model-exists", "ResourceNotFoundException",
    "GetImportedModel / DeleteImportedModel: the imported model (name or ARN) must exist in the caller's account and region",
    API + "API_GetImportedModel.html#API_GetImportedModel_Errors, API_DeleteImportedModel.html (ResourceNotFoundException)",
)  # fmt: skip

#: The rules of Custom Model Import (open-weight folders; tests/workflow/test_import_job_rules.py).
IMPORT_JOB_RULES: tuple[Rule, ...] = (
    IMPORTED_MODEL_NAME_TAKEN, IMPORT_JOB_NAME_TAKEN, IMPORT_EMPTY_SOURCE, IMPORT_JOB_EXISTS, IMPORTED_MODEL_EXISTS,
)  # fmt: skip

EMULATOR_RULES: tuple[Rule, ...] = (
    SERVICE_MODEL, ONE_MODEL_SOURCE, S3_SOURCE_NEEDS_ROLE, ESCROW_BUCKET, MODEL_PACKAGE_ACCOUNT,
    MODEL_PACKAGE_EXISTS, MODEL_PACKAGE_RESTRICTED, RESERVED_TAG_PREFIX, TAG_COUNT, UNIQUE_TAG_KEYS, NAME_TAKEN, EMPTY_SOURCE,
)  # fmt: skip

#: The rules of making a model invocable and invoking it (the deployment phase and the smoke test).
AFTER_ACTIVE_RULES: tuple[Rule, ...] = (
    DEPLOYMENT_MODEL_EXISTS, DEPLOYMENT_MODEL_ACTIVE, DEPLOYMENT_NAME_TAKEN, UPDATE_DEPLOYMENT_ACTIVE, DEPLOYMENT_BUSY,
    THROUGHPUT_MODEL_EXISTS, THROUGHPUT_MODEL_ACTIVE, THROUGHPUT_FOUNDATION_MODEL, THROUGHPUT_NAME_TAKEN, MODEL_UNITS_QUOTA,
    INVOKE_CUSTOM_MODEL, INVOKE_UNKNOWN_MODEL, INVOKE_FOUNDATION_MODEL, INVOKE_NOT_READY, INVOKE_BODY_FORMAT,
    CONVERSE_NEEDS_CHAT_TEMPLATE,
)  # fmt: skip
EMULATOR_RULES += AFTER_ACTIVE_RULES + IMPORT_JOB_RULES

MAX_TAGS = 50
# customer-escrow-<12-digit account>-smtj-<id> | -hp-<id>; the id is the rest of a valid bucket name.
ESCROW_BUCKET_RE = re.compile(r"customer-escrow-(?P<account>[0-9]{12})-(?:smtj|hp)-[a-z0-9](?:[-a-z0-9]*[a-z0-9])?")
_PACKAGE_ARN_RE = re.compile(
    r"arn:(?P<partition>aws[a-z\-]*):sagemaker:(?P<region>[^:]*):(?P<account>[0-9]{12}):model-package/.+"
)


@dataclass(frozen=True)
class Broken:
    """One rule a request breaks, and what the caller is told."""

    rule: Rule
    message: str


def split_s3_uri(uri: str) -> tuple[str, str]:
    bucket, _, path = uri[len("s3://") :].partition("/")
    return bucket, path


def tag_problems(operation_shape: Any, params: Mapping[str, Any]) -> list[Broken]:
    """The tag rules, for every TagList member of any operation (modelTags, jobTags, tags...)."""
    problems: list[Broken] = []
    for member, shape in operation_shape.members.items():
        tags = params.get(member)
        if shape.name != "TagList" or not isinstance(tags, list):
            continue
        if len(tags) > MAX_TAGS:
            message = f"The request has {len(tags)} tags in {member}; you can add at most {MAX_TAGS} tags per resource."
            problems.append(Broken(TAG_COUNT, message))
        seen: set[str] = set()
        for index, tag in enumerate(tags, start=1):
            key, value = tag.get("key"), tag.get("value")
            for part, text in (("key", key), ("value", value)):
                if isinstance(text, str) and text.lower().startswith("aws:"):
                    problems.append(Broken(
                        RESERVED_TAG_PREFIX,
                        f"Value '{text}' at '{member}.{index}.member.{part}': the prefix 'aws:' is reserved for AWS use in tag keys and values.",
                    ))  # fmt: skip
            if key in seen:
                message = f"Tag key '{key}' appears more than once in {member}; tag keys must be unique."
                problems.append(Broken(UNIQUE_TAG_KEYS, message))
            seen.add(key)
    return problems


def create_custom_model_problems(params: Mapping[str, Any], account_id: str, region: str) -> list[Broken]:
    """The documented CreateCustomModel rules that need no lookup, in the order they are checked."""
    problems: list[Broken] = []
    s3_config, package_config = params.get("modelSourceConfig"), params.get("customModelDataSource")
    if (s3_config is None) == (package_config is None):
        message = (
            "Specify exactly one model source: modelSourceConfig (an S3 URI) "
            "or customModelDataSource (a SageMaker model package)."
        )
        problems.append(Broken(ONE_MODEL_SOURCE, message))
        return problems
    if s3_config is not None:
        uri = s3_config["s3DataSource"]["s3Uri"]
        if not params.get("roleArn"):
            problems.append(Broken(S3_SOURCE_NEEDS_ROLE, "roleArn is required when the model source is in Amazon S3."))
        bucket, _ = split_s3_uri(uri)
        escrow = ESCROW_BUCKET_RE.fullmatch(bucket)
        if escrow is None or escrow.group("account") != account_id:
            problems.append(Broken(
                ESCROW_BUCKET,
                f"The S3 URI {uri} is not in an Amazon-managed bucket of account {account_id}: modelSourceConfig takes the "
                f"bucket SageMaker AI created for your training job (s3://customer-escrow-{account_id}-smtj-<id>/... or "
                f"s3://customer-escrow-{account_id}-hp-<id>/... for HyperPod). For model files in your own bucket, use CreateModelImportJob.",
            ))  # fmt: skip
    else:
        arn = package_config["modelPackageArnDataSource"]["modelPackageArn"]
        parsed = _PACKAGE_ARN_RE.fullmatch(arn)
        if parsed is None or parsed.group("account") != account_id or parsed.group("region") != region:
            problems.append(Broken(
                MODEL_PACKAGE_ACCOUNT,
                f"The model package {arn} is not in this account ({account_id}) and region ({region}): "
                "register the model package in the account and region that imports it.",
            ))  # fmt: skip
    return problems


def model_package_exists(account_id: str, region: str, arn: str) -> bool:
    """Whether moto's SageMaker (the sandbox's Model Registry) holds the package."""
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import sagemaker_backends

    try:
        sagemaker_backends[account_id][region].describe_model_package(arn)
    except ValidationError:
        return False
    return True


def s3_prefix_has_objects(account_id: str, uri: str) -> bool:
    """Whether moto's S3 holds at least one object (not a folder marker) under the URI."""
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends

    bucket_name, path = split_s3_uri(uri)
    backend = s3_backends[account_id]["aws"]
    try:
        bucket = backend.get_bucket(bucket_name)
    except MissingBucket:
        return False
    prefix = path if not path or path.endswith("/") else path + "/"
    marker = None
    while True:
        keys, _, truncated, marker = backend.list_objects(bucket, prefix, None, marker, 1000)
        if any(not key.name.endswith("/") for key in keys):
            return True
        if not truncated or marker is None:
            return False


def empty_source_message(uri: str) -> str:
    return (
        f"No model artifacts were found at {uri}. Check that the URI points at the checkpoint folder "
        "of your SageMaker AI training job (the checkpoint_s3_bucket of its output manifest.json)."
    )


def s3_json_object(account_id: str, uri: str, name: str) -> dict[str, Any] | None:
    """The JSON object `name` in the folder `uri` of moto's S3, or None (missing, not a JSON object)."""
    import json

    from moto.s3.models import s3_backends

    bucket_name, path = split_s3_uri(uri)
    key = (path if not path or path.endswith("/") else path + "/") + name
    try:
        found = s3_backends[account_id]["aws"].get_object(bucket_name, key)
        data = json.loads(found.value.decode("utf-8")) if found is not None else None
    except Exception:  # a missing bucket or key, or not JSON: Bedrock reads no architecture from it
        return None
    return data if isinstance(data, dict) else None
