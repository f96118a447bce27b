"""The three accepted execution inputs, parsed into one typed shape (pure, no AWS calls).

1. The S3 "Object Created" event that EventBridge delivers for a trigger-file upload.
2. A manual start naming the trigger file: {"bucket": ..., "key": ...}.
3. A manual start naming the source directly: {"sourceUri": ..., "modelName": ..., "tags": {...}}
   (a SageMaker escrow checkpoint), or {"modelPackageArn": ..., "modelName": ..., "tags": {...}}
   (a SageMaker model package). Either may add "modelKmsKeyArn", "deploy" and "smokeTest"
   (model_import/deploy_options.py checks those two).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from model_import.errors import ImportRejected
from model_import.strict_json import MAX_DEPTH, value_too_deep
from model_import.text import shorten

ACCEPTED_SHAPES = (
    'an S3 "Object Created" EventBridge event for the trigger file; '
    '{"bucket": "<bucket>", "key": "<IncomingPrefix><model-name>/<TriggerFileName>"}; or '
    '{"modelName": "<name>"} with "sourceUri": "s3://customer-escrow-<account>-.../<path>/" or '
    '"modelPackageArn": "<SageMaker model package ARN>" (optional: "tags", "modelKmsKeyArn", "deploy", "smokeTest"); '
    'or a Model Registry approval'
)

_BUCKET_KEY_FIELDS = {"bucket", "key"}
_REGISTRY_SOURCE = "aws.sagemaker"  # model_import.registry.SOURCE (a test holds them equal)
#: The field naming the source, for each direct manual input, and the parsed kind it gives.
_SOURCE_FIELDS = {"sourceUri": "manual-source", "modelPackageArn": "manual-package"}
_SOURCE_FIELDS_OPTIONAL = {"tags", "modelKmsKeyArn", "deploy", "smokeTest"}
#: What to do after Active (deploy_options.py); kept raw, as given, when the input names them.
AFTER_IMPORT_FIELDS = ("deploy", "smokeTest")


@dataclass(frozen=True)
class Trigger:
    """Where an import request came from: the trigger object, as the notification reports it."""

    bucket: str
    key: str
    version_id: str | None = None
    sequencer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"bucket": self.bucket, "key": self.key, "versionId": self.version_id, "sequencer": self.sequencer}


class ParsedInput(NamedTuple):  # a NamedTuple, not a dataclass: ~0.6 ms less cold start (bench/cold_start.py)
    """Either a trigger object to read (`trigger`) or a direct source (`source_uri`)."""

    kind: str  # "s3-event" | "manual-trigger" | "manual-source" | "manual-package" | "model-registry"
    trigger: Trigger | None = None
    source_uri: str | None = None
    model_name: str | None = None
    tags: Mapping[str, Any] = MappingProxyType({})  # read-only: one empty mapping shared by every instance
    model_package_arn: str | None = None
    model_kms_key_arn: str | None = None
    package_group: str | None = None  # model-registry: the package's group (checked against ModelPackageGroupNames)
    approval_status: str | None = None  # model-registry: ModelApprovalStatus
    after_import: Mapping[str, Any] = MappingProxyType({})  # manual-source/-package: raw "deploy"/"smokeTest" given


def _reject(problem: str) -> ImportRejected:
    return ImportRejected(f"{problem}. Accepted inputs: {ACCEPTED_SHAPES}.")


def _describe(value: Any) -> str:
    return shorten(json.dumps(value, default=str), 120)


def _non_empty_str(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _reject(f"{what} must be a non-empty string, got {_describe(value)}")
    return value


def parse_input(event: Any) -> ParsedInput:
    """Classify an execution input, or raise ImportRejected saying which shapes are accepted."""
    if not isinstance(event, dict):
        raise _reject(f"the execution input must be a JSON object, got {_describe(event)}")
    if value_too_deep(event):
        raise _reject(f"the execution input is nested too deeply (more than {MAX_DEPTH} levels of arrays and objects)")
    if "detail-type" in event or event.get("source") in ("aws.s3", _REGISTRY_SOURCE):
        if event.get("source") == _REGISTRY_SOURCE:
            from model_import import registry  # on first use: most inputs are S3 events (bench/cold_start.py)

            if event.get("detail-type") == registry.DETAIL_TYPE:
                return _parse_registry(event)
        return _parse_eventbridge(event)
    if "Records" in event:
        raise _reject(
            f"this is {_records_source(event['Records'])} notification in Records format; the pipeline is started "
            "by the S3 upload's EventBridge event, or by a manual start"
        )
    keys = set(event)
    named = [field for field in _SOURCE_FIELDS if field in keys]
    if len(named) > 1:
        raise _reject('the manual input names both "sourceUri" and "modelPackageArn"; give exactly one source')
    if named:
        (field,) = named
        required = {field, "modelName"}
        missing = required - keys
        extra = keys - required - _SOURCE_FIELDS_OPTIONAL
        if missing or extra:
            raise _reject(_field_problem(missing, extra))
        tags = event.get("tags", {})
        if not isinstance(tags, dict):
            raise _reject(f'"tags" must be an object of string to string, got {_describe(tags)}')
        source = _non_empty_str(event[field], f'"{field}"')
        kms_key = _non_empty_str(event["modelKmsKeyArn"], '"modelKmsKeyArn"') if "modelKmsKeyArn" in event else None
        return ParsedInput(
            kind=_SOURCE_FIELDS[field],
            source_uri=source if field == "sourceUri" else None,
            model_package_arn=source if field == "modelPackageArn" else None,
            model_name=_non_empty_str(event["modelName"], '"modelName"'),
            tags=tags,
            model_kms_key_arn=kms_key,
            after_import={name: event[name] for name in AFTER_IMPORT_FIELDS if name in event},
        )
    if keys & _BUCKET_KEY_FIELDS:
        missing = _BUCKET_KEY_FIELDS - keys
        extra = keys - _BUCKET_KEY_FIELDS
        if missing or extra:
            raise _reject(_field_problem(missing, extra))
        bucket = _non_empty_str(event["bucket"], '"bucket"')
        key = _non_empty_str(event["key"], '"key"')
        return ParsedInput(kind="manual-trigger", trigger=Trigger(bucket=bucket, key=key))
    if not event:
        raise _reject("the execution input is an empty object")
    raise _reject(f"unrecognised input with fields {sorted(keys)}")


def _records_source(records: Any) -> str:
    """'an S3' / 'an SNS' / 'an SQS' / 'an event', from the first record's eventSource."""
    first = records[0] if isinstance(records, list) and records and isinstance(records[0], dict) else {}
    source = first.get("eventSource") or first.get("EventSource")
    names = {"aws:s3": "an S3 event", "aws:sns": "an SNS", "aws:sqs": "an SQS"}
    return names.get(source, "an event") if isinstance(source, str) else "an event"


def parse_input_or_none(event: Any) -> ParsedInput | None:
    """parse_input, or None for an input it rejects (best-effort reporting after a rejection)."""
    try:
        return parse_input(event)
    except ImportRejected:
        return None


def _field_problem(missing: set[str], extra: set[str]) -> str:
    parts = []
    if missing:
        parts.append("missing " + ", ".join(f'"{name}"' for name in sorted(missing)))
    if extra:
        shown = sorted(extra)[:10]
        more = f" and {len(extra) - len(shown)} more" if len(extra) > len(shown) else ""
        parts.append("unexpected " + ", ".join(_describe(shorten(name, 60)) for name in shown) + more)
    return "the manual input has " + " and ".join(parts)


def _parse_eventbridge(event: dict[str, Any]) -> ParsedInput:
    source, detail_type = event.get("source"), event.get("detail-type")
    if source != "aws.s3" or detail_type != "Object Created":
        raise _reject(
            f'this EventBridge event is source {_describe(source)}, detail-type {_describe(detail_type)}; '
            f'only "aws.s3" "Object Created" and "{_REGISTRY_SOURCE}" "SageMaker Model Package State Change" events start an import'
        )
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise _reject("the S3 event has no \"detail\" object")
    bucket = detail.get("bucket") if isinstance(detail.get("bucket"), dict) else {}
    obj = detail.get("object") if isinstance(detail.get("object"), dict) else {}
    name = _non_empty_str(bucket.get("name"), "the event's detail.bucket.name")
    key = _non_empty_str(obj.get("key"), "the event's detail.object.key")
    version_id = obj.get("version-id")
    sequencer = obj.get("sequencer")
    return ParsedInput(
        kind="s3-event",
        trigger=Trigger(
            bucket=name,
            key=key,
            version_id=version_id if isinstance(version_id, str) and version_id else None,
            sequencer=sequencer if isinstance(sequencer, str) and sequencer else None,
        ),
    )


def _parse_registry(event: dict[str, Any]) -> ParsedInput:
    from model_import import registry

    parsed = registry.parse_detail(event.get("detail"))
    if isinstance(parsed, str):
        raise _reject(f"this SageMaker Model Package State Change event is malformed: {parsed}")
    arn, group, version, status = parsed
    return ParsedInput(
        kind="model-registry",
        model_package_arn=arn,
        model_name=registry.model_name(group, version),
        package_group=group,
        approval_status=status,
    )
