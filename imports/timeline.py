"""An execution's history (GetExecutionHistory events) as a timeline of states: when each was
entered and left, its attempts, and the errors of the failed ones. Pure: events in, steps out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Event types that start one attempt of a Task state, and those that end an attempt in failure
# (botocore's states service model, HistoryEventType).
_ATTEMPT_STARTS = {"LambdaFunctionScheduled", "TaskScheduled"}
_ATTEMPT_FAILURES = {
    "LambdaFunctionFailed", "LambdaFunctionTimedOut", "LambdaFunctionScheduleFailed", "LambdaFunctionStartFailed",
    "TaskFailed", "TaskTimedOut", "TaskSubmitFailed", "TaskStartFailed",
}
EXECUTION_ENDS = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}


@dataclass
class Step:
    state: str
    type: str  # Task, Pass, Choice, Wait, Succeed, Fail
    entered: datetime
    input: Any = None
    exited: datetime | None = None
    output: Any = None
    attempts: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"error", "cause", "at"} per failed attempt

    @property
    def retries(self) -> int:
        return max(self.attempts - 1, 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "type": self.type,
            "enteredAt": iso(self.entered),
            "exitedAt": iso(self.exited) if self.exited else None,
            "attempts": self.attempts,
            "retries": self.retries,
            "errors": [{**e, "at": iso(e["at"])} for e in self.errors],
        }


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def error_message(cause: Any) -> str | None:
    """A Lambda error's Cause is JSON with errorMessage (and a stack trace): the message alone."""
    parsed = parse_json(cause)
    if isinstance(parsed, dict) and "errorMessage" in parsed:
        return str(parsed["errorMessage"])
    return cause if isinstance(cause, str) else None


def _details(event: dict[str, Any]) -> dict[str, Any]:
    return next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})


def steps(events: list[dict[str, Any]]) -> list[Step]:
    """The states entered, in order (events in any order: they are sorted by id)."""
    result: list[Step] = []
    for event in sorted(events, key=lambda e: e["id"]):
        kind = event["type"]
        details = _details(event)
        if kind.endswith("StateEntered"):
            result.append(Step(details.get("name", "?"), kind[: -len("StateEntered")], event["timestamp"], parse_json(details.get("input"))))
        elif not result:
            continue
        elif kind.endswith("StateExited"):
            result[-1].exited = event["timestamp"]
            result[-1].output = parse_json(details.get("output"))
        elif kind in _ATTEMPT_STARTS:
            result[-1].attempts += 1
        elif kind in _ATTEMPT_FAILURES:
            cause = details.get("cause")
            result[-1].errors.append({"error": details.get("error"), "message": error_message(cause), "cause": cause, "at": event["timestamp"]})
    return result


def execution_end(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The ExecutionFailed/Aborted/TimedOut/Succeeded event's type, error and cause, if it ended."""
    for event in events:
        if event["type"] in EXECUTION_ENDS:
            details = _details(event)
            return {"type": event["type"], "error": details.get("error"), "cause": details.get("cause"), "at": event["timestamp"]}
    return None


def last_state_data(events: list[dict[str, Any]]) -> tuple[str | None, dict[str, Any] | None]:
    """(name of the last state entered, the latest state data the workflow carried): the input of
    the latest state entered after StartImport (the one with the execution's identity in it)."""
    name = None
    for event in sorted(events, key=lambda e: e["id"], reverse=True):
        if not event["type"].endswith("StateEntered"):
            continue
        details = _details(event)
        name = name or details.get("name")
        data = parse_json(details.get("input"))
        if isinstance(data, dict) and "execution" in data:
            return name, data
    return name, None


def last_input_of(events: list[dict[str, Any]], state: str) -> dict[str, Any] | None:
    """The input of the latest entry into `state`, if it is among the events."""
    for event in sorted(events, key=lambda e: e["id"], reverse=True):
        details = _details(event)
        if event["type"].endswith("StateEntered") and details.get("name") == state:
            data = parse_json(details.get("input"))
            return data if isinstance(data, dict) else None
    return None
