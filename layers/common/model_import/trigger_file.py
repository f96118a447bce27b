"""Locating and reading the trigger file (manifest.json) an upload put under the incoming prefix."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any, NamedTuple

from model_import import aws_errors, strict_json
from model_import.aws_errors import error_code, translate
from model_import.errors import ImportRejected
from model_import.inputs import Trigger
from model_import.request_identity import object_identity
from model_import.settings import ValidateSettings
from model_import.text import json_type, shorten

KNOWN_FIELDS = ("checkpoint_s3_bucket", "modelPackageArn", "modelName", "tags", "modelKmsKeyArn", "deploy", "smokeTest")
AFTER_IMPORT_FIELDS = ("deploy", "smokeTest")  # kept raw; model_import/deploy_options.py checks them
KEY_MAX_BYTES = 1024  # S3's limit on an object key, in UTF-8 bytes


class TriggerFile(NamedTuple):  # a NamedTuple, not a dataclass: ~0.6 ms less cold start (bench/cold_start.py)
    trigger: Trigger  # with the key as found in S3 (decoded when the event's key was URL-encoded)
    folder: str  # the <model-name> folder between the incoming prefix and the file name
    source_uri: str | None
    model_name: str | None
    tags: Any
    ignored_fields: tuple[str, ...] = ()
    model_package_arn: str | None = None
    model_kms_key_arn: str | None = None
    object_identity: str | None = None  # ETag and last-modified of the object read (request_identity.py)
    after_import: Mapping[str, Any] = MappingProxyType({})  # the raw "deploy"/"smokeTest" members the file names


def folder_of(key: str, settings: ValidateSettings) -> str:
    """The model folder named by a trigger key, or ImportRejected when the key is not
    <IncomingPrefix><model-name>/<TriggerFileName> (exactly one folder deep)."""
    expected = f"{settings.incoming_prefix}<model-name>/{settings.trigger_file_name}"
    suffix = "/" + settings.trigger_file_name
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise ImportRejected(f"the trigger key {shorten(key, 200)!r} is not valid UTF-8; S3 keys are UTF-8 text") from None
    if size > KEY_MAX_BYTES:
        raise ImportRejected(
            f"the trigger key {shorten(key, 60)!r} is {size} bytes; S3 keys are at most {KEY_MAX_BYTES} bytes. "
            f"Use a shorter model folder name (of the form {expected!r})"
        )
    if not key.startswith(settings.incoming_prefix) or not key.endswith(suffix):
        raise ImportRejected(f"the trigger key {key!r} is not of the form {expected!r}")
    folder = key[len(settings.incoming_prefix) : -len(suffix)]
    if not folder or "/" in folder:
        raise ImportRejected(
            f"the trigger key {key!r} must be exactly one folder below {settings.incoming_prefix!r} "
            f"(of the form {expected!r}); move the trigger file into the model's own folder"
        )
    if folder in (".", ".."):
        raise ImportRejected(
            f"the trigger key {key!r} names the folder {folder!r}; '.' and '..' are not model folders. "
            f"Put the trigger file in the model's own folder (of the form {expected!r})"
        )
    return folder


def _get(s3: Any, trigger: Trigger) -> dict[str, Any] | None:
    args: dict[str, Any] = {"Bucket": trigger.bucket, "Key": trigger.key}
    if trigger.version_id:
        args["VersionId"] = trigger.version_id
    try:
        return s3.get_object(**args)
    except aws_errors.ClientError as err:
        if error_code(err) in ("NoSuchKey", "NoSuchVersion", "404"):
            return None
        if trigger.version_id and error_code(err) == "InvalidArgument":
            return None  # S3's answer to a malformed version id: that version does not exist either
        raise translate(err, "s3", "GetObject") from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "s3", "GetObject") from err


def read_trigger_file(s3: Any, trigger: Trigger, settings: ValidateSettings) -> TriggerFile:
    if trigger.bucket != settings.artifact_bucket:
        raise ImportRejected(
            f"the trigger file must be in this stack's artifact bucket {settings.artifact_bucket!r}, "
            f"not {shorten(trigger.bucket, 80)!r}"
        )
    folder_of(trigger.key, settings)  # location first: nothing outside the incoming layout is read
    response = _get(s3, trigger)
    from urllib.parse import unquote_plus  # here, not at import: it brings ipaddress, ~5 ms of a 3.13 cold start

    decoded = unquote_plus(trigger.key)
    if response is None and decoded != trigger.key:
        # S3 notifications URL-encode keys ("my model" -> "my+model"); accept either form.
        trigger = replace(trigger, key=decoded)
        folder_of(trigger.key, settings)
        response = _get(s3, trigger)
    if response is None and trigger.version_id:
        raise ImportRejected(
            f"version {shorten(trigger.version_id, 80)!r} of the trigger file s3://{trigger.bucket}/{trigger.key} does not exist "
            "(was it deleted?); upload the trigger file again to retry"
        )
    if response is None:
        raise ImportRejected(
            f"the trigger file s3://{trigger.bucket}/{trigger.key} does not exist (was it deleted or renamed?); "
            "upload it again to retry"
        )
    folder = folder_of(trigger.key, settings)
    if trigger.version_id is None and response.get("VersionId") not in (None, "null"):
        trigger = replace(trigger, version_id=response["VersionId"])  # reported in the notification
    body = _read_body(response, settings.max_trigger_bytes, trigger)
    manifest = _parse_manifest(body, trigger)
    ignored = tuple(sorted(k for k in manifest if k not in KNOWN_FIELDS))
    source = _optional_str(manifest, "checkpoint_s3_bucket", "an s3:// URI string", trigger)
    package = _optional_str(manifest, "modelPackageArn", "a SageMaker model package ARN string", trigger)
    if source is not None and package is not None:
        raise ImportRejected(
            f'{_where(trigger)} names both "checkpoint_s3_bucket" and "modelPackageArn"; give exactly one source '
            "(the model package is the preferred one for new SageMaker training outputs)"
        )
    name = _optional_str(manifest, "modelName", "a non-empty string", trigger)
    kms_key = _optional_str(manifest, "modelKmsKeyArn", "a KMS key ARN string", trigger)
    return TriggerFile(
        trigger=trigger,
        folder=folder,
        source_uri=source,
        model_name=name,
        tags=manifest.get("tags", {}),
        ignored_fields=ignored,
        model_package_arn=package,
        model_kms_key_arn=kms_key,
        object_identity=object_identity(response),
        after_import={name: manifest[name] for name in AFTER_IMPORT_FIELDS if name in manifest},
    )


def _optional_str(manifest: dict[str, Any], field: str, what: str, trigger: Trigger) -> str | None:
    """The field's value when present (a non-empty string), else None."""
    if field not in manifest:
        return None
    value = manifest[field]
    if not isinstance(value, str) or not value:
        raise ImportRejected(f'{_where(trigger)}: "{field}" must be {what}, got {json.dumps(value)[:80]}')
    return value


def _where(trigger: Trigger) -> str:
    return f"the trigger file s3://{trigger.bucket}/{trigger.key}"


def _read_body(response: dict[str, Any], limit: int, trigger: Trigger) -> bytes:
    body = response["Body"]
    try:
        size = int(response.get("ContentLength", 0))
        if size > limit:
            raise ImportRejected(
                f"{_where(trigger)} is {size} bytes; it must be at most {limit} bytes (1 MiB). It holds only "
                "the manifest (checkpoint_s3_bucket, modelName, tags), never the model itself"
            )
        data = body.read(limit + 1)
        if len(data) > limit:
            raise ImportRejected(f"{_where(trigger)} is larger than {limit} bytes (1 MiB)")
        return data
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "s3", "GetObject") from err
    finally:
        body.close()


def _parse_manifest(body: bytes, trigger: Trigger) -> dict[str, Any]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(f"{_where(trigger)} is not UTF-8 text; it must be a JSON object") from None
    if not text.strip():
        return {}
    try:
        manifest = strict_json.loads(text)
    except strict_json.StrictJsonError as err:
        hint = '; it must be a JSON object such as {"checkpoint_s3_bucket": "s3://..."}, or empty'
        raise ImportRejected(f"{_where(trigger)} {err}{hint if str(err).startswith('is not valid JSON') else ''}") from None
    if not isinstance(manifest, dict):
        raise ImportRejected(f"{_where(trigger)} holds a JSON {json_type(manifest)}; it must be a JSON object, or empty")
    return manifest
