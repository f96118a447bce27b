"""The phase after Active, read from an execution's timeline (issue 10's design): the deployment
StartDeployment made (or updated), each status check of it in the Wait/Check loop, and the smoke
test RunSmokeTest ran with its attempts (a model still loading answers ModelNotReady, retried with
backoff). Pure: timeline steps in, documents out; `show` prints them and --json carries them."""

from __future__ import annotations

from typing import Any

from imports.timeline import Step, iso

#: The Bedrock call StartDeployment made, by mode and whether a deployment of the name existed.
CREATE_ON_DEMAND = "CreateCustomModelDeployment"
UPDATE_ON_DEMAND = "UpdateCustomModelDeployment"
CREATE_PROVISIONED = "CreateProvisionedModelThroughput"
NOT_CREATED = "NotCreated"  # the notification's word for a deployment Bedrock never created
MODEL_NOT_READY = "ModelNotReady"  # model_import.errors: Bedrock's ModelNotReadyException


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _last_error(step: Step) -> dict[str, Any] | None:
    """The error a Task state ended with (its Catch), or None: it succeeded or is still retrying."""
    if step.exited is None or not step.errors or step.attempts > len(step.errors):
        return None
    error = step.errors[-1]
    return {"error": error["error"], "message": error["message"], "at": iso(error["at"])}


def deployment_phase(steps: list[Step]) -> dict[str, Any] | None:
    """{"mode", "name", "action", "arn", "modelUnits", "replacedModelArn", "startedAt", "status",
    "failureMessage", "error", "checks": [{"at", "status"} | {"at", "error", "message"}]}, or None
    when the import asked for no deployment (no StartDeployment in its timeline)."""
    index = next((i for i, s in enumerate(steps) if s.state == "StartDeployment"), None)
    if index is None:
        return None
    start = steps[index]
    started = _dict(_dict(_dict(start.output).get("model")).get("deployment"))
    error = _last_error(start)
    asked = _dict(_dict(_dict(start.input).get("request")).get("deploy"))
    if error is not None or not started:  # Bedrock created nothing (StartDeployment's Catch)
        return {
            "mode": asked.get("mode"), "name": asked.get("name"), "action": None, "arn": None,
            "modelUnits": asked.get("modelUnits"), "replacedModelArn": None, "startedAt": iso(start.entered),
            "status": NOT_CREATED if error else None, "failureMessage": None, "error": error, "checks": [],
        }
    checks: list[dict[str, Any]] = []
    latest = started
    for step in steps[index + 1:]:
        if step.state != "CheckImportStatus" or step.exited is None:
            continue
        failed = _last_error(step)
        if failed is not None:  # its Catch: the check itself failed (e.g. throttled past its retries)
            checks.append({"at": failed["at"], "error": failed["error"], "message": failed["message"]})
            error = failed
            continue
        found = _dict(_dict(_dict(step.output).get("model")).get("deployment"))
        if found:
            latest = found
            checks.append({"at": iso(step.exited), "status": found.get("status")})
    mode = started.get("mode")
    if mode == "provisioned":
        action = CREATE_PROVISIONED
    else:
        action = UPDATE_ON_DEMAND if started.get("replacedModelArn") else CREATE_ON_DEMAND
    return {
        "mode": mode,
        "name": started.get("name"),
        "action": action,
        "arn": started.get("arn"),
        "modelUnits": latest.get("modelUnits", started.get("modelUnits")),
        "replacedModelArn": started.get("replacedModelArn"),
        "startedAt": iso(start.entered),
        "status": latest.get("status"),
        "failureMessage": latest.get("failureMessage"),
        "error": error,
        "checks": checks,
    }


def smoke_test_phase(steps: list[Step]) -> dict[str, Any] | None:
    """{"api", "modelId", "attempts", "notReady", "errors": [{"at", "error", "message"}], "ok",
    "latencyMs", "outputPreview", "error", "startedAt"}, or None when no smoke test ran. "ok" is None
    while it still runs."""
    step = next((s for s in reversed(steps) if s.state == "RunSmokeTest"), None)
    if step is None:
        return None
    result = _dict(_dict(step.output).get("smokeTest"))
    failed = _last_error(step)
    errors = [{"at": iso(e["at"]), "error": e["error"], "message": e["message"]} for e in step.errors]
    if result:
        ok, error = result.get("ok") is True, result.get("error")
    elif failed is not None:  # its Catch: every attempt failed
        ok, error = False, f"{failed['error']}: {failed['message'] or 'no message'}"
    else:
        ok, error = None, None  # still running
    return {
        "api": result.get("api"),
        "modelId": result.get("modelId"),
        "attempts": step.attempts,
        "notReady": sum(1 for e in step.errors if e["error"] == MODEL_NOT_READY),
        "errors": errors,
        "ok": ok,
        "latencyMs": result.get("latencyMs"),
        "outputPreview": result.get("outputPreview"),
        "error": error,
        "startedAt": iso(step.entered),
    }
