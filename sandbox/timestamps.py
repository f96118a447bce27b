"""Context-object timestamps in Step Functions' own format.

On AWS, $$.Execution.StartTime and $$.State.EnteredTime are ISO 8601 UTC with milliseconds and
a Z ("2026-11-27T14:00:00.123Z"); moto's executor gives Python's isoformat
("2026-11-27T14:00:00.123456+00:00"). The workflow passes StartTime into the notification
(startedAt), so the sandbox formats both as AWS does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def aws_timestamp(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value


class _ContextObject(dict):  # type: ignore[type-arg]
    """The context object, with each state's EnteredTime in AWS's format as it is set."""

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "State" and isinstance(value, dict) and "EnteredTime" in value:
            value = {**value, "EnteredTime": aws_timestamp(value["EnteredTime"])}
        super().__setitem__(key, value)


def install(patcher: Any) -> None:
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    original = ExecutionWorker._get_evaluation_environment

    def _get_evaluation_environment(worker: Any) -> Any:
        env = original(worker)
        manager = env.states.context_object
        data = _ContextObject(manager.context_object_data)
        execution = data.get("Execution")
        if isinstance(execution, dict) and "StartTime" in execution:
            data["Execution"] = {**execution, "StartTime": aws_timestamp(execution["StartTime"])}
        manager.context_object_data = data
        env.states._states_data["context"] = data  # the same object, as moto shares it
        return env

    patcher.setattr(ExecutionWorker, "_get_evaluation_environment", _get_evaluation_environment)
