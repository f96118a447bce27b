"""What the notification says about the steps after Active: the deployment and the smoke test.

Reads the state the ASL leaves (issue 10's design): $.model.deployment (StartDeployment and the
Wait/Check loop), $.smokeTest (RunSmokeTest), $.afterImport (set only when something after Active
failed), $.error (a Catch's {"Error", "Cause"}) and $.request.deploy. `outcome` stays ACTIVE: these
add the `deployment` and `smokeTest` fields, the `reason` and the subject's suffix.
"""

from __future__ import annotations

from typing import Any, Callable

from model_import.text import shorten

DEPLOYMENT_FAILED = "DEPLOYMENT_FAILED"
DEPLOYMENT_TIMED_OUT = "DEPLOYMENT_TIMED_OUT"
SMOKE_TEST_FAILED = "SMOKE_TEST_FAILED"
AFTER_IMPORT = (DEPLOYMENT_FAILED, DEPLOYMENT_TIMED_OUT, SMOKE_TEST_FAILED)
NOT_CREATED = "NotCreated"  # a deployment was asked for but Bedrock never created it
OUTPUT_PREVIEW_MAX = 200
PROVISIONED_SUFFIX = "Provisioned Throughput: billed hourly until deleted"
PROVISIONED_SUFFIX_SHORT = "Provisioned Throughput: billed hourly"  # beside a failure, to leave room for the name
ON_DEMAND_SUFFIX = "deployed on demand"
_FAILURE_SUFFIX = {
    DEPLOYMENT_FAILED: "deployment FAILED",
    DEPLOYMENT_TIMED_OUT: "deployment TIMED OUT",
    SMOKE_TEST_FAILED: "smoke test FAILED",
}
_READY = ("Active", "InService")

ErrorDetails = Callable[[Any], tuple[str, str]]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def failed_step(state: dict[str, Any]) -> str | None:
    value = state.get("afterImport")
    return value if value in AFTER_IMPORT else None


def deployment(state: dict[str, Any], model: dict[str, Any]) -> dict[str, Any] | None:
    """{"mode", "name", "arn", "status", "replacedModelArn"}, or None when none was asked for."""
    found = model.get("deployment")
    if isinstance(found, dict):
        return {
            "mode": found.get("mode"),
            "name": found.get("name"),
            "arn": found.get("arn"),
            "status": found.get("status"),
            "replacedModelArn": found.get("replacedModelArn"),
        }
    asked = _dict(_dict(state.get("request")).get("deploy"))
    if asked and failed_step(state) == DEPLOYMENT_FAILED:  # StartDeployment's Catch: Bedrock created nothing
        return {"mode": asked.get("mode"), "name": asked.get("name"), "arn": None, "status": NOT_CREATED, "replacedModelArn": None}
    return None


def smoke_test(state: dict[str, Any], error_details: ErrorDetails) -> dict[str, Any] | None:
    """{"ok", "latencyMs", "outputPreview", "error", "api", "modelId"}, or None when none ran."""
    found = state.get("smokeTest")
    if isinstance(found, dict):
        preview = found.get("outputPreview")
        return {
            "ok": found.get("ok") is True,
            "latencyMs": found.get("latencyMs"),
            "outputPreview": shorten(preview, OUTPUT_PREVIEW_MAX) if isinstance(preview, str) else None,
            "error": found.get("error"),
            "api": found.get("api"),
            "modelId": found.get("modelId"),
        }
    if failed_step(state) == SMOKE_TEST_FAILED:  # RunSmokeTest's Catch: its error is in $.error
        name, message = error_details(state.get("error"))
        return {"ok": False, "latencyMs": None, "outputPreview": None, "error": f"{name}: {message}", "api": None, "modelId": None}
    return None


def reason(state: dict[str, Any], model: dict[str, Any], error_details: ErrorDetails) -> str | None:
    """What failed after the model became Active, or None when nothing did."""
    failed = failed_step(state)
    if failed is None:
        return None
    deployed = deployment(state, model) or {}
    found = _dict(model.get("deployment"))
    provisioned = deployed.get("mode") == "provisioned"
    what = "Provisioned Throughput" if provisioned else "on-demand deployment"
    named = f" {deployed['name']}" if deployed.get("name") else ""
    stop = _stop_command(deployed) if provisioned and not found.get("deleted") else ""
    if failed == DEPLOYMENT_FAILED:
        if found.get("failureMessage"):
            cause = str(found["failureMessage"])
        elif found.get("status") == "Failed":
            cause = "Bedrock reported it as Failed without a failure message"
        else:
            name, message = error_details(state.get("error"))
            cause = f"{name}: {message}"
        if found.get("replacedModelArn") and found.get("status") == "Failed" and not provisioned and not found.get("deleted"):
            # UpdateFailed: Bedrock keeps the deployment Active on the model it served before.
            return (
                f"the model is Active, but updating its on-demand deployment{named} ({found.get('arn')}) to it failed: "
                f"{cause.rstrip('.')}. The deployment still serves the previous model {found['replacedModelArn']}"
            )
        return f"the model is Active, but its {what}{named} failed: {cause.rstrip('.')}{stop}"
    if failed == DEPLOYMENT_TIMED_OUT:
        minutes = int(found.get("waitedSeconds") or 0) // 60
        status = found.get("status") or "Creating"
        target = deployed.get("arn") or deployed.get("name")
        check = (
            f"aws bedrock get-provisioned-model-throughput --provisioned-model-id {target}"
            if provisioned
            else f"aws bedrock get-custom-model-deployment --custom-model-deployment-identifier {target}"
        )
        serving = (
            f"; until the update completes it serves the previous model {found['replacedModelArn']}"
            if found.get("replacedModelArn") and not provisioned
            else ""
        )
        return (
            f"the model is Active, but its {what}{named} was still {status} after {minutes} minutes of waiting "
            f"({found.get('checks', 0)} status checks); it may still become ready: check it with '{check}', "
            f"or raise the stack's ImportTimeoutMinutes{serving}{stop}"
        )
    tested = smoke_test(state, error_details) or {}
    target = tested.get("modelId") or deployed.get("arn") or model.get("modelArn")
    return (
        f"the model is Active and invocable at {target}, but the smoke test failed: "
        f"{str(tested.get('error') or 'it returned no text').rstrip('.')}{stop}"
    )


def _stop_command(deployed: dict[str, Any]) -> str:
    if not deployed.get("arn"):
        return ""
    return (
        ". Provisioned Throughput bills hourly until it is deleted; stop it with "
        f"'aws bedrock delete-provisioned-model-throughput --provisioned-model-id {deployed['arn']}'"
    )


def subject_suffix(body: dict[str, Any], failed: str | None, short: bool = False) -> str:
    """' (...)' naming what is billable or what failed after Active (`failed`: $.afterImport), or ''."""
    parts = []
    deployed = body.get("deployment")
    if isinstance(deployed, dict) and deployed.get("arn"):
        if deployed.get("mode") == "provisioned":
            parts.append(PROVISIONED_SUFFIX_SHORT if short else PROVISIONED_SUFFIX)
        elif deployed.get("status") in _READY:
            parts.append(ON_DEMAND_SUFFIX)
    if isinstance(failed, str) and failed in _FAILURE_SUFFIX:
        parts.append(_FAILURE_SUFFIX[failed])
    return f" ({'; '.join(parts)})" if parts else ""
