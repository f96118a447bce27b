"""One import as the user thinks of it, assembled from DescribeExecution, the workflow's state data
(from the history or the execution's output) and the ledger item. Pure: no AWS calls here."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from imports.layer import build_notification, parse_input_or_none
from imports.timeline import iso, parse_json

DEFAULT_IMPORT_API = "CreateCustomModel"
DUPLICATE = "DUPLICATE"
# The ASL's final states (statemachine/model_import.asl.json) and the outcome each ends an import with.
FINAL_STATES = {
    "ModelImportSucceeded": "ACTIVE",
    "ModelImportFailed": "FAILED",
    "ModelImportRejected": "REJECTED",
    "ModelImportTimedOut": "TIMED_OUT",
    "ModelImportErrored": "ERROR",
    "IgnoreDuplicateDelivery": DUPLICATE,
    # The model is Active but a step after it failed ($.afterImport): red, outcome still ACTIVE.
    "ModelDeploymentFailed": "ACTIVE",
    "ModelDeploymentTimedOut": "ACTIVE",
    "ModelSmokeTestFailed": "ACTIVE",
}
#: $.afterImport (model_import.after_import) as the table says it, like the notification's subject.
AFTER_IMPORT_TEXT = {
    "DEPLOYMENT_FAILED": "deployment FAILED",
    "DEPLOYMENT_TIMED_OUT": "deployment TIMED OUT",
    "SMOKE_TEST_FAILED": "smoke test FAILED",
}
NOTIFICATION_NOT_SENT = "NotificationNotSent"
OUTCOMES = ("ACTIVE", "FAILED", "REJECTED", "TIMED_OUT", "ERROR", DUPLICATE, "RUNNING", "ABORTED", "EXECUTION_TIMED_OUT")


@dataclass
class ImportRecord:
    execution_arn: str
    execution_name: str
    status: str  # the execution's: RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    outcome: str  # ACTIVE ... ERROR, DUPLICATE, RUNNING, ABORTED, EXECUTION_TIMED_OUT
    state: str | None  # the state it is in (running) or ended in
    trigger: dict[str, Any] | None
    manual_input: Any
    model_name: str | None
    model_arn: str | None
    model_status: str | None
    source_uri: str | None
    import_api: str
    started: datetime
    stopped: datetime | None
    reason: str | None
    console_url: str
    notified: bool | None = None  # False: PublishResult failed after its retries (NotificationNotSent)
    duplicate_of: str | None = None
    duplicates: list[str] = field(default_factory=list)
    checks: int | None = None
    token: str | None = None
    # After Active (additive): the notification's deployment (+ modelUnits, statusChecks,
    # failureMessage) and smokeTest (+ attempts), and $.afterImport when a step after Active failed.
    deployment: dict[str, Any] | None = None
    smoke_test: dict[str, Any] | None = None
    after_import: str | None = None

    def duration_seconds(self, now: datetime) -> float:
        return round(((self.stopped or now) - self.started).total_seconds(), 3)

    @property
    def source(self) -> str:
        """The trigger's s3:// URI, or 'manual' and the input's model name."""
        if self.trigger:
            return f"s3://{self.trigger.get('bucket')}/{self.trigger.get('key')}"
        return "manual " + compact(self.manual_input, 60)

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            "executionArn": self.execution_arn,
            "executionName": self.execution_name,
            "status": self.status,
            "outcome": self.outcome,
            "state": self.state,
            "trigger": self.trigger,
            "manualInput": self.manual_input if not self.trigger else None,
            "modelName": self.model_name,
            "modelArn": self.model_arn,
            "modelStatus": self.model_status,
            "sourceUri": self.source_uri,
            "importApi": self.import_api,
            "startedAt": iso(self.started),
            "stoppedAt": iso(self.stopped) if self.stopped else None,
            "durationSeconds": self.duration_seconds(now),
            "reason": self.reason,
            "notified": self.notified,
            "duplicateOf": self.duplicate_of,
            "duplicates": list(self.duplicates),
            "statusChecks": self.checks,
            "consoleUrl": self.console_url,
            "deployment": self.deployment,
            "smokeTest": self.smoke_test,
            "afterImport": self.after_import,
        }


def compact(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def console_url(execution_arn: str) -> str:
    """The execution in the Step Functions console."""
    parts = execution_arn.split(":")
    partition, region = parts[1], parts[3]
    domain = {"aws-cn": "console.amazonaws.cn", "aws-us-gov": "console.amazonaws-us-gov.com"}.get(partition, "console.aws.amazon.com")
    return f"https://{region}.{domain}/states/home?region={region}#/v2/executions/details/{execution_arn}"


def _outcome(execution: dict[str, Any], state_name: str | None, data: dict[str, Any]) -> tuple[str, bool | None]:
    status = execution["status"]
    if status == "RUNNING":
        return "RUNNING", None
    if status == "ABORTED":
        return "ABORTED", None
    if status == "TIMED_OUT":
        return "EXECUTION_TIMED_OUT", None
    if state_name == NOTIFICATION_NOT_SENT or execution.get("error") == NOTIFICATION_NOT_SENT:
        return str(data.get("outcome") or "ERROR"), False
    if state_name in FINAL_STATES:
        outcome = FINAL_STATES[state_name]
        return outcome, (None if outcome == DUPLICATE else True)
    if status == "FAILED":
        # Known from DescribeExecution alone: each Fail state's Error is its own name.
        error = str(execution.get("error"))
        return (FINAL_STATES[error], True) if error in FINAL_STATES else ("ERROR", None)
    notification = data.get("notification") if isinstance(data.get("notification"), dict) else {}
    claimed_elsewhere = (data.get("error") or {}).get("Error") == "DynamoDB.ConditionalCheckFailedException"
    if notification.get("published") is False or claimed_elsewhere:
        return DUPLICATE, None
    return str(data.get("outcome") or "ACTIVE"), True


def build_record(
    execution: dict[str, Any], state_name: str | None, data: dict[str, Any] | None, publish_input: dict[str, Any] | None = None
) -> ImportRecord:
    """execution: DescribeExecution's answer; state_name: the last state entered (None if only the
    output is known); data: the workflow's latest state data (None if it never got past StartImport);
    publish_input: PublishResult's input, when known (the state before its own error replaced $.error)."""
    data = data or {}
    raw_input = execution.get("input")
    parsed = parse_input_or_none(parse_json(raw_input))
    outcome, notified = _outcome(execution, state_name, data)
    if state_name is None and execution["status"] == "SUCCEEDED":  # known from the output alone
        state_name = "IgnoreDuplicateDelivery" if outcome == DUPLICATE else "ModelImportSucceeded"
    started, stopped = execution["startDate"], execution.get("stopDate")
    known = build_notification(
        {**data, "outcome": outcome if outcome in FINAL_STATES.values() else data.get("outcome"),
         "input": data.get("input", parse_json(raw_input)), "execution": data.get("execution") or {"arn": execution["executionArn"]}},
        iso(stopped or started),
    )
    request = data.get("request") if isinstance(data.get("request"), dict) else {}
    model = data.get("model") if isinstance(data.get("model"), dict) else {}
    # ACTIVE has a reason only when its deployment or smoke test failed afterwards.
    reason = known["reason"] if outcome in ("ACTIVE", "FAILED", "REJECTED", "TIMED_OUT", "ERROR") else None
    if outcome in ("ABORTED", "EXECUTION_TIMED_OUT") or (outcome == "ERROR" and not data):
        reason = ": ".join(x for x in (execution.get("error"), execution.get("cause")) if x) or reason
    if notified is False:
        # PublishResult's Catch wrote its own error over $.error: the import's reason is in its input.
        before = build_notification(publish_input, iso(stopped or started))["reason"] if publish_input else None
        name, cause = _error(data)
        reason = f"{before + '; ' if before else ''}the notification was not sent: {name}: {cause}"
    trigger = known["trigger"] or (parsed.trigger.to_dict() if parsed and parsed.trigger else None)
    notification = data.get("notification") if isinstance(data.get("notification"), dict) else {}
    return ImportRecord(
        execution_arn=execution["executionArn"],
        execution_name=execution.get("name") or execution["executionArn"].rsplit(":", 1)[-1],
        status=execution["status"],
        outcome=outcome,
        state=state_name,
        trigger=trigger,
        manual_input=None if trigger else parse_json(raw_input),
        model_name=known["modelName"],
        model_arn=known["modelArn"],
        model_status=known["modelStatus"],
        source_uri=known["sourceUri"],
        import_api=str(request.get("importApi") or DEFAULT_IMPORT_API),
        started=started,
        stopped=stopped,
        reason=reason,
        console_url=console_url(execution["executionArn"]),
        notified=notified,
        duplicate_of=notification.get("duplicateOf") if outcome == DUPLICATE else None,
        checks=model.get("checks") if isinstance(model.get("checks"), int) else None,
        token=request.get("clientRequestToken"),
        deployment=_deployment(known["deployment"], model),
        smoke_test=_smoke_test(known["smokeTest"], data),
        after_import=data.get("afterImport") if data.get("afterImport") in AFTER_IMPORT_TEXT else None,
    )


def _deployment(notified: dict[str, Any] | None, model: dict[str, Any]) -> dict[str, Any] | None:
    if notified is None:
        return None
    found = model.get("deployment") if isinstance(model.get("deployment"), dict) else {}
    checks = found.get("checks")
    return {
        **notified,
        "modelUnits": found.get("modelUnits"),
        "statusChecks": checks if isinstance(checks, int) else None,
        "failureMessage": found.get("failureMessage"),
    }


def _smoke_test(notified: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any] | None:
    if notified is None:
        return None
    found = data.get("smokeTest") if isinstance(data.get("smokeTest"), dict) else {}
    attempts = found.get("attempts")
    return {**notified, "attempts": attempts if isinstance(attempts, int) else None}


def _error(data: dict[str, Any]) -> tuple[str, str]:
    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    cause = parse_json(error.get("Cause"))
    if isinstance(cause, dict) and "errorMessage" in cause:
        cause = cause["errorMessage"]
    return str(error.get("Error") or "UnknownError"), str(cause or "no message")


