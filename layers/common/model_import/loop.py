"""The Wait/Check loop's state, the same for every Bedrock resource an import creates.

Create returns the first state, each check the next one; the state machine's IsModelReady reads
modelStatus (Creating | Active | Failed: the custom model's statuses, which every resource maps its
own onto) and deadlineReached. `kind` tells CheckModelStatus which resource to ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model_import.polling import MAX_CHECKS, PollState, deadline_reached, next_wait

if TYPE_CHECKING:
    from model_import.settings import PollSettings

FINAL_STATUSES = ("Active", "Failed")


def started(kind: str, model_arn: str | None, model_name: str, settings: PollSettings, job_arn: str | None = None) -> dict[str, Any]:
    """The state after the create call: Creating, and the first wait."""
    wait = next_wait(PollState(checks=0, waited_seconds=0), settings)
    return {
        "kind": kind,
        "modelArn": model_arn,
        "jobArn": job_arn,
        "modelName": model_name,
        "modelStatus": "Creating",
        "failureMessage": None,
        "checks": 0,
        # waitedSeconds counts the Wait state that follows, so the next check sees it.
        "waitedSeconds": wait,
        "waitSeconds": wait,
        "deadlineReached": False,
    }


def checked(
    previous: dict[str, Any],
    settings: PollSettings,
    *,
    status: str,
    model_arn: str | None,
    model_name: str | None,
    failure_message: str | None,
) -> dict[str, Any]:
    """The state after one status check."""
    state = PollState(checks=int(previous.get("checks", 0)) + 1, waited_seconds=int(previous.get("waitedSeconds", 0)))
    # Anything but a final status keeps waiting, a status Bedrock may add one day included:
    # IsModelReady sends it back to WaitBeforeCheck, which must then really wait.
    in_progress = status not in FINAL_STATUSES
    reached = in_progress and deadline_reached(state, settings)
    wait = next_wait(state, settings) if in_progress and not reached else 0
    return {
        **previous,
        "modelArn": model_arn,
        "modelName": model_name,
        "modelStatus": status,
        "failureMessage": failure_message,
        "checks": state.checks,
        # The Wait state that follows sleeps waitSeconds; count it now so the deadline is exact.
        "waitedSeconds": state.waited_seconds + wait,
        "waitSeconds": wait,
        "deadlineReached": reached,
    }


# ------------------------------------------------------------------ the deployment phase
# After the model is Active the same Wait/Check loop follows the deployment (on-demand) or the
# Provisioned Throughput: its state is model["deployment"], with its own checks and waitedSeconds
# counted from 0 against the same ImportTimeoutMinutes and PollIntervalSeconds. The top-level
# waitSeconds is the deployment's next wait, since WaitBeforeCheck reads only that. Its interval is
# stretched to the checks the import left of MAX_CHECKS (at least one), so that both phases together
# stay inside the history bound (polling.py); a typical import leaves nearly all of them.

#: The statuses that end the deployment phase: Bedrock's own words, on-demand and provisioned.
DEPLOYMENT_READY = ("Active", "InService")
DEPLOYMENT_FINAL = (*DEPLOYMENT_READY, "Failed")


def deployment_started(
    model: dict[str, Any],
    settings: PollSettings,
    *,
    mode: str,
    name: str,
    arn: str,
    status: str,
    model_arn: str,
    replaced_model_arn: str | None = None,
    model_units: int | None = None,
) -> dict[str, Any]:
    """The loop state after the create (or update) call: the deployment's first wait."""
    budget = max(1, MAX_CHECKS - int(model.get("checks", 0)))
    wait = next_wait(PollState(checks=0, waited_seconds=0), settings, budget)
    deployment = {
        "mode": mode,
        "name": name,
        "arn": arn,
        "status": status,
        "modelArn": model_arn,
        "replacedModelArn": replaced_model_arn,
        "failureMessage": None,
        "modelUnits": model_units,
        "checks": 0,
        "maxChecks": budget,
        "waitedSeconds": wait,
        "waitSeconds": wait,
        "deadlineReached": False,
    }
    return {**model, "deployment": deployment, "waitSeconds": wait}


def deployment_checked(
    model: dict[str, Any], settings: PollSettings, *, status: str, failure_message: str | None, **fields: Any
) -> dict[str, Any]:
    """The loop state after one check of the deployment (fields: modelArn etc. Bedrock reported)."""
    previous = model["deployment"]
    state = PollState(checks=int(previous.get("checks", 0)) + 1, waited_seconds=int(previous.get("waitedSeconds", 0)))
    in_progress = status not in DEPLOYMENT_FINAL  # Creating, Updating, or a status Bedrock may add
    reached = in_progress and deadline_reached(state, settings)
    wait = next_wait(state, settings, int(previous.get("maxChecks") or MAX_CHECKS)) if in_progress and not reached else 0
    deployment = {
        **previous,
        **fields,
        "status": status,
        "failureMessage": failure_message,
        "checks": state.checks,
        "waitedSeconds": state.waited_seconds + wait,
        "waitSeconds": wait,
        "deadlineReached": reached,
    }
    return {**model, "deployment": deployment, "waitSeconds": wait}


def deployment_gone(model: dict[str, Any], settings: PollSettings, action: str, message: str) -> dict[str, Any]:
    """The loop state when the deployment or throughput it follows no longer exists (someone deleted it
    while the loop waited): Failed, Bedrock's word for one that "failed to be created or became
    unavailable" (API_GetCustomModelDeployment, status), so the loop ends in RecordDeploymentFailure
    with outcome still ACTIVE; `deleted` tells the notification there is nothing left to stop."""
    previous = model["deployment"]
    what = "Provisioned Throughput" if previous.get("mode") == "provisioned" else "deployment"
    failure = (
        f"the {what} {previous.get('name')} ({previous.get('arn')}) no longer exists: it was deleted while the workflow "
        f"waited for it to be ready ({action}: ResourceNotFoundException: {message.rstrip('.')}). Nothing of it is left "
        "to stop; upload the trigger file again to deploy the model anew"
    )
    checked = deployment_checked(model, settings, status="Failed", failure_message=failure, deleted=True)
    return checked
