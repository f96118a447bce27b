"""The result notification: one SNS message per import, on every path.

Subscribers depend on this schema; keep it stable (README, "The notification").
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from model_import import after_import
from model_import.asked_for import describe_input, split_context
from model_import.quotas import queued_too_long
from model_import.text import shorten

OUTCOMES = ("ACTIVE", "FAILED", "REJECTED", "TIMED_OUT", "ERROR")
FIELDS = (
    "outcome", "modelName", "modelArn", "modelStatus", "sourceUri", "reason",
    "trigger", "executionArn", "startedAt", "finishedAt",
    # Added later (additive): the Bedrock API that imported the model, and a model package source.
    "importApi", "modelPackageArn",
    # The CreateModelImportJob job (open weights), else null.
    "jobArn",
    # Added later (additive): seconds the import waited for one of MaxConcurrentImports slots
    # (0: none; null: it ended before asking for one).
    "queuedSeconds",
    # Added later (additive; model_import/after_import.py): the deployment made after Active and the
    # smoke test, each null when none was asked for.
    "deployment", "smokeTest",
)
SUBJECT_MAX = 100
SUBJECT_NAME_MIN = 12  # characters of the model name a subject keeps beside its suffix
ATTRIBUTE_VALUE_MAX = 256
# The characters outside XML's range (#x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF), listed
# directly: the negated form compiles in ~5 ms, a tenth of a handler's import (bench/cold_start.py).
_ATTRIBUTE_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error_details(error: dict[str, Any] | None) -> tuple[str, str]:
    """(error name, message) from a Catch's {"Error", "Cause"}; a Lambda's Cause is JSON."""
    if not isinstance(error, dict):
        return "UnknownError", "no error details were recorded"
    name = str(error.get("Error") or "UnknownError")
    cause = error.get("Cause")
    message = cause if isinstance(cause, str) else ""
    try:
        parsed = json.loads(message) if message else None
    except json.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict) and "errorMessage" in parsed:
        message = split_context(str(parsed["errorMessage"]))[0]
    return name, message or "no message"


def asked_in_error(error: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a request refused (or failed) in ValidateArtifacts named, sent with its error
    (model_import/asked_for.py); None for any other error."""
    cause = error.get("Cause") if isinstance(error, dict) else None
    try:
        parsed = json.loads(cause) if isinstance(cause, str) and cause else None
    except json.JSONDecodeError:
        return None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("errorMessage"), str):
        return None
    return split_context(parsed["errorMessage"])[1]


def _reason(outcome: str, state: dict[str, Any], model: dict[str, Any]) -> str | None:
    if outcome == "ACTIVE":  # null unless a deployment or smoke test failed after Active
        return after_import.reason(state, model, error_details)
    if outcome == "FAILED":
        return model.get("failureMessage") or "Bedrock reported the model as Failed without a failure message"
    if outcome == "TIMED_OUT" and not (model.get("modelArn") or model.get("jobArn")) and _slot(state).get("deadlineReached"):
        return queued_too_long(_slot(state))
    if outcome == "TIMED_OUT":
        minutes = int(model.get("waitedSeconds", 0)) // 60
        if model.get("jobArn"):
            return (
                f"the import job was still InProgress after {minutes} minutes of waiting ({model.get('checks', 0)} status checks); "
                "it may still finish: check it with 'aws bedrock get-model-import-job --job-identifier "
                f"{model['jobArn']}', or raise the stack's ImportTimeoutMinutes"
            )
        return (
            f"the model was still Creating after {minutes} minutes of waiting ({model.get('checks', 0)} status checks); "
            "the import may still finish: check it with 'aws bedrock get-custom-model --model-identifier "
            f"{model.get('modelName') or model.get('modelArn')}', or raise the stack's ImportTimeoutMinutes"
        )
    name, message = error_details(state.get("error"))
    if outcome == "REJECTED":
        return message
    if model.get("modelArn"):  # the error came after CreateCustomModel: the import goes on without us
        return f"{name}: {message.rstrip('.')}. {_still_importing(model)}"
    return f"{name}: {message}"


def _slot(state: dict[str, Any]) -> dict[str, Any]:
    slot = state.get("slot")
    return slot if isinstance(slot, dict) else {}


def _still_importing(model: dict[str, Any]) -> str:
    return (
        f"The model exists (last seen {model.get('modelStatus') or 'Creating'}) and the import may still finish: "
        f"check it with 'aws bedrock get-custom-model --model-identifier {model.get('modelName') or model.get('modelArn')}'"
    )


def raw_input(state: dict[str, Any]) -> Any:
    """The execution's raw input where the state keeps it: $.rawInput.value (KeepTheRawInput, after
    ValidateArtifacts failed without context) or $.input (executions started before the state
    stopped carrying it)."""
    kept = state.get("rawInput")
    if isinstance(kept, dict) and "value" in kept:
        return kept["value"]
    return state.get("input")


def build_notification(state: dict[str, Any], finished_at: str) -> dict[str, Any]:
    """The notification body for the state the workflow ended in."""
    outcome = state.get("outcome")
    if outcome not in OUTCOMES:
        outcome = "ERROR"
    request = state.get("request") if isinstance(state.get("request"), dict) else None
    model = state.get("model") if isinstance(state.get("model"), dict) else {}
    execution = state.get("execution") or {}
    context = asked_in_error(state.get("error")) if request is None else None
    if request is not None:
        known = {name: request.get(name) for name in ("modelName", "sourceUri", "trigger", "importApi", "modelPackageArn")}
    elif context is not None:  # what the input and its trigger file named, from ValidateArtifacts' error
        known = {**describe_input(None), **{name: context.get(name) for name in ("modelName", "sourceUri", "trigger", "modelPackageArn")}}
    else:  # ValidateArtifacts failed without context (KeepTheRawInput), or an execution started before it
        known = describe_input(raw_input(state))
    body = {
        "outcome": outcome,
        "modelName": model.get("modelName") or known["modelName"],
        "modelArn": model.get("modelArn"),
        "modelStatus": model.get("modelStatus"),
        "sourceUri": known["sourceUri"],
        "reason": _reason(outcome, state, model),
        "trigger": known["trigger"],
        "executionArn": execution.get("arn"),
        "startedAt": execution.get("startedAt"),
        "finishedAt": finished_at,
        "importApi": known["importApi"],
        "modelPackageArn": known["modelPackageArn"],
        "jobArn": model.get("jobArn"),
        "queuedSeconds": int(_slot(state)["waitedSeconds"]) if "admitted" in _slot(state) else None,
        "deployment": after_import.deployment(state, model),
        "smokeTest": after_import.smoke_test(state, error_details),
    }
    return {name: body[name] for name in FIELDS}


def subject(body: dict[str, Any], failed_after_import: str | None = None) -> str:
    """One printable ASCII line of at most 100 characters, e.g. 'Model import ACTIVE: my-model', with
    a suffix when something billable exists or a step after Active failed ($.afterImport); the name
    is shortened to keep the suffix."""
    name = body.get("modelName") or "(no model name)"
    prefix = f"Model import {body['outcome']}: "
    suffix = after_import.subject_suffix(body, failed_after_import)
    if len(prefix + name + suffix) > SUBJECT_MAX and SUBJECT_MAX - len(prefix) - len(suffix) < SUBJECT_NAME_MIN:
        suffix = after_import.subject_suffix(body, failed_after_import, short=True)
    text = prefix + shorten(name, max(SUBJECT_NAME_MIN, SUBJECT_MAX - len(prefix) - len(suffix))) + suffix
    text = re.sub(r"[^\x20-\x7e]", "?", text)
    return shorten(text, SUBJECT_MAX)


def message_attributes(body: dict[str, Any]) -> dict[str, dict[str, str]]:
    """SNS attributes for filter policies. modelName and importApi are left out when not known;
    deploymentStatus when no deployment was asked for."""
    attributes = {"outcome": {"DataType": "String", "StringValue": body["outcome"]}}
    if body.get("modelName"):
        attributes["modelName"] = {"DataType": "String", "StringValue": _attribute_value(str(body["modelName"]))}
    if body.get("importApi"):
        attributes["importApi"] = {"DataType": "String", "StringValue": str(body["importApi"])}
    deployed = body.get("deployment")
    if isinstance(deployed, dict) and deployed.get("status"):
        attributes["deploymentStatus"] = {"DataType": "String", "StringValue": _attribute_value(str(deployed["status"]))}
    return attributes


def _attribute_value(text: str) -> str:
    """SNS refuses attribute values with characters outside XML's range (control characters, lone
    surrogates); a rejected input's name may hold any, so they become '?' and long ones are cut.
    Valid model names (the ones filter policies match) pass unchanged."""
    safe = _ATTRIBUTE_UNSAFE.sub("?", text)
    return shorten(safe, ATTRIBUTE_VALUE_MAX)
