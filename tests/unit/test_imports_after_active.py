"""The imports command's reading of the phase after Active, from history events alone: a running
deployment, an update of a stable name, a status check that failed past its retries, a smoke test
that gave up after ModelNotReady, and red endings known from DescribeExecution alone."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from imports import render
from imports.after_active import deployment_phase, smoke_test_phase
from imports.after_active_text import deployment_lines, smoke_test_lines
from imports.record import build_record
from imports.timeline import steps

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
ARN = "arn:aws:states:eu-west-1:111122223333:execution:machine:run-1"
MODEL = "arn:aws:bedrock:eu-west-1:111122223333:custom-model/imported/new"
OLD = "arn:aws:bedrock:eu-west-1:111122223333:custom-model/imported/old"
DEPLOYMENT = "arn:aws:bedrock:eu-west-1:111122223333:custom-model-deployment/abcdefabcdef"
_DETAILS = {
    "StateEntered": "stateEnteredEventDetails", "StateExited": "stateExitedEventDetails",
    "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails",
}


def _event(id_: int, kind: str, seconds: float, **details: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"id": id_, "type": kind, "timestamp": T0 + timedelta(seconds=seconds)}
    suffix = next((k for k in _DETAILS if kind.endswith(k)), None)
    if suffix:
        event[_DETAILS[suffix]] = {k: json.dumps(v) if k in ("input", "output") else v for k, v in details.items()}
    return event


def _deployment(status: str, checks: int, **fields: Any) -> dict[str, Any]:
    return {"mode": "on-demand", "name": "stable", "arn": DEPLOYMENT, "status": status, "modelArn": MODEL,
            "replacedModelArn": OLD, "failureMessage": None, "modelUnits": None, "checks": checks, **fields}


def _task(events: list[dict[str, Any]], name: str, at: float, state: dict[str, Any], output: dict[str, Any] | None, failures: list[tuple[str, str]]) -> None:
    """One Task state: an attempt per failure; then, when `output` is given, it exits with it: after
    one more attempt that succeeds, or (an output with "error") from its Catch."""
    events.append(_event(len(events) + 1, "TaskStateEntered", at, name=name, input=state))
    for error, message in failures:
        events.append(_event(len(events) + 1, "LambdaFunctionScheduled", at))
        events.append(_event(len(events) + 1, "LambdaFunctionFailed", at + 1, error=error, cause=json.dumps({"errorMessage": message})))
    if output is not None:
        if "error" not in output:
            events.append(_event(len(events) + 1, "LambdaFunctionScheduled", at + 2))
        events.append(_event(len(events) + 1, "TaskStateExited", at + 3, name=name, output=output))


def test_an_update_of_a_stable_name_and_a_status_check_that_failed_past_its_retries() -> None:
    state = {"request": {"deploy": {"mode": "on-demand", "name": "stable"}}, "model": {"modelArn": MODEL}}
    events: list[dict[str, Any]] = []
    _task(events, "StartDeployment", 0, state, {**state, "model": {"modelArn": MODEL, "deployment": _deployment("Updating", 0)}}, [])
    _task(events, "CheckImportStatus", 60, state, {**state, "model": {"deployment": _deployment("Updating", 1)}}, [])
    throttled = [("BedrockThrottled", "Rate exceeded")] * 3
    _task(events, "CheckImportStatus", 120, state, {**state, "error": {"Error": "BedrockThrottled"}}, throttled)
    phase = deployment_phase(steps(events))
    assert phase is not None
    assert (phase["action"], phase["replacedModelArn"], phase["status"]) == ("UpdateCustomModelDeployment", OLD, "Updating")
    assert phase["checks"][0] == {"at": "2026-01-01T00:01:03.000Z", "status": "Updating"}
    assert phase["checks"][1]["error"] == "BedrockThrottled" and phase["error"]["message"] == "Rate exceeded"
    lines = deployment_lines(phase)
    assert f"  replaced:   {OLD} (the model this name served before; not deleted)" in lines
    assert "  started:    2026-01-01 00:00:00Z, UpdateCustomModelDeployment" in lines
    assert "  error:      BedrockThrottled: Rate exceeded" in lines
    assert lines[-2:] == ["  2026-01-01 00:01:03Z  Updating (check 1)", "  2026-01-01 00:02:01Z  BedrockThrottled: Rate exceeded (check 2)"]


def test_a_smoke_test_that_gave_up_after_model_not_ready_and_one_still_running() -> None:
    state = {"request": {"smokeTest": {"prompt": "hi", "maxTokens": 8}}}
    events: list[dict[str, Any]] = []
    not_ready = [("ModelNotReady", "bedrock-runtime Converse: ModelNotReadyException: not ready")] * 7
    _task(events, "RunSmokeTest", 0, state, {**state, "error": {"Error": "ModelNotReady"}}, not_ready)
    phase = smoke_test_phase(steps(events))
    assert phase is not None
    assert (phase["ok"], phase["attempts"], phase["notReady"], phase["api"]) == (False, 7, 7, None)
    assert phase["error"] == "ModelNotReady: bedrock-runtime Converse: ModelNotReadyException: not ready"
    lines = smoke_test_lines(phase)
    assert "  result:     FAILED" in lines and "  attempts:   7 (7 x ModelNotReady: the model was still loading; retried with backoff)" in lines
    running: list[dict[str, Any]] = []
    _task(running, "RunSmokeTest", 0, state, None, not_ready[:1])
    phase = smoke_test_phase(steps(running))
    assert phase is not None and (phase["ok"], phase["error"], phase["attempts"]) == (None, None, 1)
    assert "  result:     running" in smoke_test_lines(phase)
    assert deployment_phase(steps(running)) is None and smoke_test_phase([]) is None


def test_a_running_import_follows_its_deployment_in_the_table() -> None:
    data = {"execution": {"arn": ARN}, "outcome": "ACTIVE", "request": {"modelName": "m", "deploy": {"mode": "on-demand", "name": "stable"}},
            "model": {"modelName": "m", "modelArn": MODEL, "modelStatus": "Active", "deployment": _deployment("Creating", 3)}}
    execution = {"executionArn": ARN, "status": "RUNNING", "startDate": T0, "input": "{}"}
    record = build_record(execution, "WaitBeforeCheck", data)
    assert render.outcome_text(record) == "WaitBeforeCheck (deployment Creating)"
    assert (render.deployment_text(record), render.smoke_text(record)) == ("on-demand Creating", "-")
    assert record.deployment is not None and record.deployment["statusChecks"] == 3 and record.reason is None


@pytest.mark.parametrize(
    ("error", "after_import", "text"),
    [
        ("ModelDeploymentFailed", "DEPLOYMENT_FAILED", "ACTIVE (deployment FAILED)"),
        ("ModelDeploymentTimedOut", "DEPLOYMENT_TIMED_OUT", "ACTIVE (deployment TIMED OUT)"),
        ("ModelSmokeTestFailed", "SMOKE_TEST_FAILED", "ACTIVE (smoke test FAILED)"),
    ],
)
def test_a_red_ending_after_active_is_still_active(error: str, after_import: str, text: str) -> None:
    execution = {"executionArn": ARN, "status": "FAILED", "error": error, "startDate": T0, "stopDate": T0, "input": "{}"}
    assert (build_record(execution, None, None).outcome, build_record(execution, None, None).notified) == ("ACTIVE", True)  # DescribeExecution alone
    record = build_record(execution, error, {"execution": {"arn": ARN}, "outcome": "ACTIVE", "afterImport": after_import})
    assert (record.outcome, record.after_import, render.outcome_text(record)) == ("ACTIVE", after_import, text)
