"""What an input asked for, when it never became an import request: the notification's modelName,
sourceUri, modelPackageArn and trigger, and the ledger key, for a request refused (or failed) in
ValidateArtifacts.

The state no longer carries the raw input (a copy beside the rest would push an input near Step
Functions' 256 KiB over it), so ValidateArtifacts sends what it learned with its error instead:
Lambda reports an unhandled exception as errorType and errorMessage only (awslambdaric's
make_error: errorMessage, errorType, requestId, stackTrace), so the message carries it, after
CONTEXT_MARKER, as one line of JSON; the notification splits it off again (split_context), and the
reason stays what it was. Executions started before this (state with $.input) are described from
the input as before.
"""

from __future__ import annotations

import json
from typing import Any

from model_import.inputs import parse_input_or_none
from model_import.request import request_token
from model_import.request_identity import rejected_trigger
from model_import.text import shorten

#: Separates the reason from what the request named, in the error's message (and so in the Cause of
#: the execution history, where it reads as a last line).
CONTEXT_MARKER = "\n\nAsked for: "
#: The notification's fields an input names (importApi stays null: nothing was imported).
FIELDS = ("modelName", "sourceUri", "trigger", "importApi", "modelPackageArn")
_CONTEXT_FIELDS = ("modelName", "sourceUri", "trigger", "modelPackageArn")
#: How much of each name the context keeps: S3 keys and URIs are at most 1,024 bytes, a model
#: package ARN at most 2,048 characters (botocore sagemaker ModelPackageArn); a name past Bedrock's
#: 63 characters is quoted, shortened, as the reason quotes it.
_LIMITS = {"modelName": 256, "sourceUri": 1024, "modelPackageArn": 2048}


def describe_input(event: Any) -> dict[str, Any]:
    """Best-effort modelName, sourceUri and trigger from a raw input (before any file was read)."""
    parsed = parse_input_or_none(event)
    unknown: dict[str, Any] = dict.fromkeys(FIELDS)
    if parsed is None:
        return {**unknown, **{field: _named(event, field) for field in ("modelName", "sourceUri", "modelPackageArn")}}
    if parsed.trigger is not None:
        parts = parsed.trigger.key.split("/")
        return {
            **unknown,
            "modelName": parts[-2] if len(parts) >= 2 and parts[-2] else None,
            "trigger": parsed.trigger.to_dict(),
        }
    return {**unknown, "modelName": parsed.model_name, "sourceUri": parsed.source_uri, "modelPackageArn": parsed.model_package_arn}


def _named(event: Any, field: str) -> str | None:
    """A field a rejected manual input named, even when the input as a whole was malformed (an extra
    field, tags of the wrong type): the notification keeps what the user asked for."""
    value = event.get(field) if isinstance(event, dict) else None
    return shorten(value, _LIMITS[field]) if isinstance(value, str) and value else None


def ledger_key_of_input(event: Any, execution_arn: str) -> str:
    """The ledger key of an input that never became a request (publish.ledger_key): the trigger's
    identity, the approved package, or the execution itself."""
    parsed = parse_input_or_none(event)
    if parsed is not None and parsed.kind == "model-registry":
        return request_token(None, execution_arn, parsed.model_package_arn)
    return request_token(rejected_trigger(parsed, event), execution_arn)


def start(event: Any, execution_arn: str) -> dict[str, Any]:
    """The context of a request being validated: what the raw input names, and its ledger key."""
    described = describe_input(event)
    return {**{name: described[name] for name in _CONTEXT_FIELDS}, "requestToken": ledger_key_of_input(event, execution_arn)}


def learn(context: dict[str, Any], **found: Any) -> None:
    """Record what the trigger file (or a later check) named; None leaves a field as it was."""
    for field, value in found.items():
        if value is not None:
            context[field] = shorten(value, _LIMITS[field]) if isinstance(value, str) and field in _LIMITS else value


def attach(err: BaseException) -> BaseException:
    """`err` with the context validation gave it (err.asked_for) after its message, once: what
    Lambda reports as errorMessage, and so the Catch's Cause. Any other error is left as it is."""
    context = getattr(err, "asked_for", None)
    message = str(err)
    if not isinstance(context, dict):
        return err
    if CONTEXT_MARKER not in message:
        err.args = (message + CONTEXT_MARKER + json.dumps(context, separators=(",", ":")),)
    return err


def split_context(message: str) -> tuple[str, dict[str, Any] | None]:
    """(the message as the user reads it, what the request asked for or None)."""
    reason, marker, tail = message.rpartition(CONTEXT_MARKER)
    if not marker:
        return message, None
    try:
        context = json.loads(tail)
    except json.JSONDecodeError:
        return message, None
    return (reason, context) if isinstance(context, dict) else (message, None)
