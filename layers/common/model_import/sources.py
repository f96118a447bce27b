"""Where a model source may be, and whether the stack's own bucket really holds artifacts."""

from __future__ import annotations

import re
from typing import Any

from model_import import aws_errors
from model_import import bedrock_rules as rules
from model_import.aws_errors import translate
from model_import.errors import ImportRejected
from model_import.settings import ValidateSettings
from model_import.text import shorten

_ESCROW_RE = re.compile(r"customer-escrow-(\d{12})-")


def split_s3_uri(uri: str) -> tuple[str, str]:
    """('bucket', 'path/with/trailing/slash/' or '') for an s3:// URI."""
    rest = uri[len("s3://") :]
    bucket, _, path = rest.partition("/")
    return bucket, path


def check_source_uri(uri: Any, settings: ValidateSettings, origin: str) -> str:
    """The URI as Bedrock will get it, or ImportRejected saying what is wrong and what is allowed."""
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
    _check_allowed_location(uri, bucket, path, settings, origin)
    return uri


def _check_allowed_location(uri: str, bucket: str, path: str, settings: ValidateSettings, origin: str) -> None:
    if bucket == settings.artifact_bucket:
        if path.startswith(settings.incoming_prefix) and len(path.rstrip("/")) > len(settings.incoming_prefix.rstrip("/")):
            return
        raise ImportRejected(
            f"{origin}: the source {uri!r} is in the artifact bucket but not in a folder under "
            f"{settings.incoming_prefix!r}; put the artifacts in s3://{bucket}/{settings.incoming_prefix}<model-name>/"
        )
    escrow = _ESCROW_RE.match(bucket)
    if escrow:
        if escrow.group(1) == settings.account_id:
            return
        raise ImportRejected(
            f"{origin}: the source bucket {bucket!r} is the SageMaker escrow bucket of account {escrow.group(1)}, "
            f"not of this account ({settings.account_id}); import the model in the account that trained it"
        )
    for prefix in settings.allowed_source_prefixes:
        if uri == prefix or (uri.startswith(prefix) and (prefix.endswith("/") or uri[len(prefix)] == "/")):
            return
    allowed = [f"s3://{settings.artifact_bucket}/{settings.incoming_prefix}<model-name>/", f"s3://customer-escrow-{settings.account_id}-*/"]
    allowed += list(settings.allowed_source_prefixes)
    raise ImportRejected(
        f"{origin}: the source {uri!r} is not in an allowed location ({', '.join(allowed)}); "
        "add its prefix to the stack's AllowedSourcePrefixes parameter to allow it"
    )


def require_artifacts(s3: Any, uri: str, trigger_key: str | None, trigger_file_name: str | None = None) -> int:
    """Check that a source in the stack's bucket holds at least one artifact besides the trigger.

    Folder markers and trigger files (this one, or another model's `trigger_file_name` in a
    sub-folder) are not artifacts.

    Lists with pagination and stops at the first artifact; never downloads anything. Returns the
    number of list pages read.
    """
    bucket, path = split_s3_uri(uri)
    prefix = path if path.endswith("/") else path + "/"
    pages = 0
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            pages += 1
            for obj in page.get("Contents", ()):
                key = obj["Key"]
                if key == trigger_key or key.endswith("/"):
                    continue
                if trigger_file_name is not None and key.rsplit("/", 1)[-1] == trigger_file_name:
                    continue
                return pages
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "s3", "ListObjectsV2") from err
    if trigger_key is None:
        raise ImportRejected(f"no model artifacts found under s3://{bucket}/{prefix}: upload the checkpoint files there, then start again")
    raise ImportRejected(
        f"no model artifacts found under s3://{bucket}/{prefix}: upload the checkpoint files first, "
        "then the trigger file"
    )
