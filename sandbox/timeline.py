"""Human output: a live timeline of the states as they run, the notifications, a summary line.

Everything is read from the execution history (the same events GetExecutionHistory returns),
so the timeline shows what the console would: which states ran, their retries, what each
decided. Times are real elapsed seconds since the run started; Wait states also say how long
they wait on AWS (the sandbox compresses that).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

_DETAIL_KEYS = ("outcome", "modelStatus", "modelName", "sourceUri", "modelArn")


@dataclass
class _Followed:
    arn: str
    label: str
    seen: int = 0
    entered: dict[str, dict[str, Any]] = field(default_factory=dict)  # state name -> its StateEntered event
    failures: list[str] = field(default_factory=list)  # errors of the current state's attempts
    result: Any = None  # the current task's last result
    pending_choice: str | None = None  # a Choice state's name, printed once the next state is known
    done: bool = False


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _error_of(event: dict[str, Any]) -> str | None:
    for key, value in event.items():
        if key.endswith(("FailedEventDetails", "TimedOutEventDetails")):
            return str(value.get("error") or "error")
    return None


def _resolve(path: str, data: Any) -> Any:
    """A simple reference path ($.a.b) against the state's input."""
    if not path.startswith("$"):
        return None
    for part in path[1:].strip(".").split("."):
        if not part:
            continue
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _task_detail(result: Any) -> str:
    if result == {}:
        return "ok"
    if not isinstance(result, dict):
        return "" if result in (None, {}) else _short(json.dumps(result), 60)
    if "published" in result:
        if result.get("published"):
            return f"published {result.get('outcome')}"
        return f"not published again: {result.get('outcome')} was already sent by {str(result.get('duplicateOf', '')).rsplit(':', 1)[-1]}"
    deployment = result.get("deployment")
    if isinstance(deployment, dict):  # the deployment phase: its own status and checks
        what = f"{deployment.get('mode')} {deployment.get('name')}"
        if deployment.get("checks"):
            return f"{what}: {deployment.get('status')} (check {deployment['checks']})"
        replacing = f", replacing {deployment['replacedModelArn']}" if deployment.get("replacedModelArn") else ""
        return f"{what}: {deployment.get('status')}: {deployment.get('arn')}{replacing}"
    if "ok" in result and "latencyMs" in result:  # the smoke test
        if result.get("ok"):
            return f"{result.get('api')} answered in {result.get('latencyMs')} ms: {result.get('outputPreview')!r}"
        return f"failed: {result.get('error')}"
    if "modelStatus" in result and "checks" in result:
        checks = result.get("checks")
        if checks:
            return f"{result['modelStatus']} (check {checks})"
        return f"import started: {result.get('modelArn') or result.get('jobArn')}"
    if "modelName" in result and "sourceUri" in result:
        return f"{result['modelName']} from {result['sourceUri'] or result.get('modelPackageArn')}"
    parts = [f"{k}={result[k]}" for k in _DETAIL_KEYS if k in result]
    return _short(", ".join(parts), 90)


class Timeline:
    def __init__(self, out: TextIO, definition: dict[str, Any], time_scale: float, started: float | None = None) -> None:
        self.out = out
        self.states = definition.get("States", {})
        self.time_scale = time_scale
        self.started = started if started is not None else time.monotonic()
        self._followed: dict[str, _Followed] = {}

    def _line(self, followed: _Followed, name: str, detail: str) -> None:
        elapsed = time.monotonic() - self.started
        self.out.write(printable(f"  {elapsed:7.3f}s  {followed.label} {name:<24} {detail}".rstrip()) + "\n")
        self.out.flush()

    def follow(self, arns: list[str], history: Callable[[str], list[dict[str, Any]]]) -> None:
        """Print what happened since the last call, for each execution."""
        for arn in arns:
            if arn not in self._followed:
                followed = _Followed(arn=arn, label=f"#{len(self._followed) + 1}")
                self._followed[arn] = followed
                self.out.write(f"Execution {followed.label} {arn.rsplit(':', 1)[-1]}\n")
            followed = self._followed[arn]
            if followed.done:
                continue
            events = history(arn)
            for event in events[followed.seen :]:
                self._event(followed, event)
            followed.seen = len(events)

    def _event(self, followed: _Followed, event: dict[str, Any]) -> None:
        kind = event["type"]
        if "stateEnteredEventDetails" in event:
            details = event["stateEnteredEventDetails"]
            if followed.pending_choice is not None:
                self._line(followed, followed.pending_choice, f"-> {details['name']}")
                followed.pending_choice = None
            followed.entered[details["name"]] = details
            followed.failures = []
            followed.result = None
            return
        error = _error_of(event)
        if error is not None and not kind.startswith("Execution"):
            followed.failures.append(error)
            return
        if kind in ("LambdaFunctionSucceeded", "TaskSucceeded"):
            details = event.get("lambdaFunctionSucceededEventDetails") or event.get("taskSucceededEventDetails") or {}
            try:
                followed.result = json.loads(details.get("output") or "null")
            except ValueError:
                followed.result = details.get("output")
            return
        if "stateExitedEventDetails" in event:
            self._exited(followed, event["stateExitedEventDetails"])
            return
        if kind.startswith("Execution") and kind != "ExecutionStarted":
            followed.done = True
            status = kind.removeprefix("Execution").upper()
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), {}) or {}
            why = f": {details.get('error')}" if details.get("error") else ""
            self._line(followed, "(execution)", f"{status}{why}")

    def _exited(self, followed: _Followed, details: dict[str, Any]) -> None:
        name = details["name"]
        state = self.states.get(name, {})
        kind = state.get("Type", "")
        entered = followed.entered.get(name, {})
        try:
            state_input = json.loads(entered.get("input") or "null")
        except ValueError:
            state_input = None
        failed = kind == "Task" and bool(followed.failures) and followed.result is None
        retried = followed.failures[:-1] if failed else followed.failures
        retries = ""
        if retried:
            counts: dict[str, int] = {}
            for error in retried:
                counts[error] = counts.get(error, 0) + 1
            retries = " (retried after " + ", ".join(f"{n}x {e}" for e, n in counts.items()) + ")"
        if kind == "Choice":
            followed.pending_choice = name
            return
        if kind == "Wait":
            seconds = state.get("Seconds")
            if seconds is None and "SecondsPath" in state:
                seconds = _resolve(state["SecondsPath"], state_input)
            detail = f"waited {seconds} s on AWS time ({float(seconds or 0) * self.time_scale * 1000:.0f} ms here)"
        elif kind == "Pass":
            result = state.get("Result")
            detail = f"{state.get('ResultPath', '$')} = {json.dumps(result)}" if isinstance(result, str) else ""
        elif kind == "Task":
            if failed:
                detail = f"failed: {followed.failures[-1]}"
            else:
                detail = _task_detail(followed.result)
        else:
            detail = ""
        self._line(followed, name, _short(detail, 100) + retries)


def printable(text: str) -> str:
    """One terminal-safe line: what a notification quotes from the input (a model name, a key) may
    hold control characters, escape sequences or lone surrogates, shown escaped as in repr."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def notification_lines(index: int, total: int, subject: str | None, body: dict[str, Any]) -> list[str]:
    lines = [printable(f"Notification {index}/{total}: {subject or body.get('outcome')}")]
    for key in ("outcome", "modelName", "modelArn", "modelStatus", "sourceUri", "modelPackageArn", "jobArn", "reason"):
        value = body.get(key)
        if value is not None:
            lines.append(printable(f"  {key:<12} {value}"))
    trigger = body.get("trigger")
    if trigger:
        lines.append(printable(f"  {'trigger':<12} s3://{trigger.get('bucket')}/{trigger.get('key')}"))
    deployment = body.get("deployment")
    if isinstance(deployment, dict):
        replaced = f", replaced {deployment['replacedModelArn']}" if deployment.get("replacedModelArn") else ""
        lines.append(printable(f"  {'deployment':<12} {deployment.get('mode')} {deployment.get('name')} "
                               f"{deployment.get('status')}: {deployment.get('arn')}{replaced}"))
    smoke = body.get("smokeTest")
    if isinstance(smoke, dict):
        said = f"ok in {smoke.get('latencyMs')} ms: {smoke.get('outputPreview')!r}" if smoke.get("ok") else f"failed: {smoke.get('error')}"
        lines.append(printable(f"  {'smokeTest':<12} {said}"))
    return lines
