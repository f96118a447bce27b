"""Where a model source may be, and whether the stack's own bucket really holds artifacts."""

from __future__ import annotations

import re
from typing import Any

from model_import import aws_errors
from model_import import bedrock_rules as rules
from model_import.aws_errors import translate
from model_import.errors import ImportRejected
from model_import.kinds import KIND_CHECKPOINT, KIND_OPEN_WEIGHTS
from model_import.settings import ValidateSettings
from model_import.text import shorten

_ESCROW_PREFIX_RE = re.compile(r"customer-escrow-(\d{12})-")


def split_s3_uri(uri: str) -> tuple[str, str]:
    """('bucket', 'path/with/trailing/slash/' or '') for an s3:// URI."""
    rest = uri[len("s3://") :]
    bucket, _, path = rest.partition("/")
    return bucket, path


def check_source_uri(uri: Any, settings: ValidateSettings, origin: str) -> str:
    """The URI as Bedrock will get it, or ImportRejected saying what is wrong and what is allowed."""
    source_kind(uri, settings, origin)
    return uri


def source_kind(uri: Any, settings: ValidateSettings, origin: str) -> str:
    """The kind of source the URI names (KIND_CHECKPOINT or KIND_OPEN_WEIGHTS), or ImportRejected
    saying what is wrong and what is allowed."""
    if not isinstance(uri, str) or not uri:
        raise ImportRejected(f"{origin}: the source URI must be a non-empty string, got {uri!r}")
    if len(uri) > rules.S3_URI_MAX:
        raise ImportRejected(f"{origin}: the source URI is {len(uri)} characters; Bedrock allows at most {rules.S3_URI_MAX}")
    if not uri.startswith("s3://"):
        shown = shorten(uri, 80)
        raise ImportRejected(f"{origin}: the source must be an s3:// URI, got {shown!r}; http(s) URLs and other schemes are not accepted")
    bucket, path = split_s3_uri(uri)
    segments = path.rstrip("/").split("/") if path.rstrip("/") else []
    if any(seg in ("", ".", "..") for seg in segments):
        raise ImportRejected(f"{origin}: the source URI {uri!r} has an empty, '.' or '..' path segment; give the plain path of the checkpoint folder")
    if not rules.is_valid_s3_uri(uri):
        raise ImportRejected(f"{origin}: the source URI {uri!r} does not meet Bedrock's S3 URI rule: {rules.S3_URI_RULE}")
    return _kind_of_location(uri, bucket, path, settings, origin)


def _kind_of_location(uri: str, bucket: str, path: str, settings: ValidateSettings, origin: str) -> str:
    """Which Bedrock API can import from here. CreateCustomModel imports only from SageMaker's
    Amazon-managed escrow bucket of this account ("The Amazon S3 URI ... must be for the
    Amazon-managed Amazon S3 bucket containing your model artifacts": API_CreateCustomModel,
    API_S3DataSource). A folder of the customer's own (this stack's incoming folders, or one of
    AllowedSourcePrefixes: the places the import role may read) holds open weights, for
    CreateModelImportJob. Anywhere else is refused here, before Bedrock, with the ways that work."""
    escrow = _ESCROW_PREFIX_RE.match(bucket)
    if escrow:
        if escrow.group(1) != settings.account_id:
            raise ImportRejected(
                f"{origin}: the source bucket {bucket!r} is the SageMaker escrow bucket of account {escrow.group(1)}, "
                f"not of this account ({settings.account_id}); import the model in the account that trained it"
            )
        if rules.ESCROW_BUCKET_RE.fullmatch(bucket) is None:
            raise ImportRejected(
                f"{origin}: the source bucket {bucket!r} is not a SageMaker escrow bucket: they are named "
                f"customer-escrow-{settings.account_id}-smtj-<id> (training jobs) or customer-escrow-{settings.account_id}-hp-<id> "
                "(HyperPod); copy checkpoint_s3_bucket from the training job's manifest.json as it is"
            )
        return KIND_CHECKPOINT
    if bucket == settings.artifact_bucket and path.startswith(settings.incoming_prefix) and path != settings.incoming_prefix:
        return KIND_OPEN_WEIGHTS
    if any(uri == p or uri.startswith(p if p.endswith("/") else p + "/") for p in settings.allowed_source_prefixes):
        return KIND_OPEN_WEIGHTS
    where = (
        f"is in this stack's artifact bucket but outside its model folders ({settings.incoming_prefix}<model-name>/)"
        if bucket == settings.artifact_bucket
        else "is in a bucket this stack may not read (not under its AllowedSourcePrefixes)"
    )
    raise ImportRejected(
        f"{origin}: the source {uri!r} {where}. An open-weight model (a Hugging Face folder) is imported from "
        f"s3://{settings.artifact_bucket}/{settings.incoming_prefix}<model-name>/ or from a prefix added to the stack's "
        "AllowedSourcePrefixes parameter; a SageMaker AI-trained Nova checkpoint only from SageMaker's Amazon-managed "
        f"escrow bucket (s3://customer-escrow-{settings.account_id}-.../: upload the training job's manifest.json, whose "
        '"checkpoint_s3_bucket" names it), or set "modelPackageArn"'
    )


def check_model_package_arn(arn: Any, settings: ValidateSettings, origin: str) -> str:
    """A SageMaker model package ARN of this account and region, as CreateCustomModel's
    customModelDataSource takes it, or ImportRejected saying what is wrong."""
    if not isinstance(arn, str) or not arn:
        raise ImportRejected(f"{origin}: the model package ARN must be a non-empty string, got {arn!r}")
    shown = shorten(arn, 120)
    if not rules.is_valid_model_package_arn(arn):
        raise ImportRejected(
            f"{origin}: {shown!r} is not a SageMaker model package ARN; it must look like "
            "arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version> "
            "(aws sagemaker list-model-packages --model-package-group-name <group> lists them)"
        )
    region, account = arn.split(":")[3:5]
    if account != settings.account_id or (settings.region and region != settings.region):
        raise ImportRejected(
            f"{origin}: the model package {shown!r} is in account {account}, region {region}; this stack imports "
            f"only model packages of its own account and region ({settings.account_id}, {settings.region or 'this region'})"
        )
    return arn


def check_kms_key(arn: Any, settings: ValidateSettings, origin: str) -> str:
    """A KMS key ARN the stack allows a request to name (AllowedModelKmsKeyArns)."""
    if not isinstance(arn, str) or not rules.KMS_KEY_ARN_RE.fullmatch(arn):
        raise ImportRejected(
            f'{origin}: "modelKmsKeyArn" must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>; '
            f"not an alias), got {shorten(str(arn), 120)!r}"
        )
    if arn not in settings.allowed_model_kms_key_arns:
        allowed = ", ".join(settings.allowed_model_kms_key_arns) or "none"
        raise ImportRejected(
            f'{origin}: "modelKmsKeyArn" {arn!r} is not one of the stack\'s AllowedModelKmsKeyArns ({allowed}); '
            "add it to that parameter (the import role then gets use of it) and upload again"
        )
    return arn
