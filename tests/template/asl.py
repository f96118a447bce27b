"""The state machine as a graph: transitions, reachability, loops, and which Lambda a task runs."""

from __future__ import annotations

import re
from typing import Any

TERMINAL_TYPES = ("Succeed", "Fail")

#: The Lambda service errors AWS recommends retrying on every Lambda task.
LAMBDA_SERVICE_ERRORS = frozenset(
    {
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    }
)

#: History events a state adds each time it runs without error (Standard workflow).
#: Task (Lambda): TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted,
#: LambdaFunctionSucceeded, TaskStateExited. Each retry adds LambdaFunctionFailed (or TimedOut),
#: LambdaFunctionScheduled and LambdaFunctionStarted.
EVENTS_PER_STATE = {"Task": 5, "Wait": 2, "Choice": 2, "Pass": 2, "Succeed": 2, "Fail": 1}
EVENTS_PER_RETRY = 3
EXECUTION_EVENTS = 2  # ExecutionStarted, ExecutionSucceeded/Failed
HISTORY_LIMIT = 25_000

_PLACEHOLDER = re.compile(r"^\$\{([^}]+)\}$")


def transitions(state: dict[str, Any]) -> list[str]:
    """Every state this one can go to next, Catch targets included."""
    targets = []
    if "Next" in state:
        targets.append(state["Next"])
    targets += [choice["Next"] for choice in state.get("Choices", [])]
    if "Default" in state:
        targets.append(state["Default"])
    targets += [catcher["Next"] for catcher in state.get("Catch", [])]
    return targets


def is_terminal(state: dict[str, Any]) -> bool:
    return state["Type"] in TERMINAL_TYPES or state.get("End") is True


def reachable(states: dict[str, dict[str, Any]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        todo += transitions(states[name])
    return seen


def cycles(states: dict[str, dict[str, Any]]) -> list[set[str]]:
    """The strongly connected components that loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for nxt in transitions(states[name]):
            if nxt not in states:
                continue  # a dangling target: test_every_transition_target_exists reports it
            if nxt not in index:
                visit(nxt)
                low[name] = min(low[name], low[nxt])
            elif nxt in on_stack:
                low[name] = min(low[name], index[nxt])
        if low[name] == index[name]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == name:
                    break
            if len(component) > 1 or name in transitions(states[name]):
                found.append(component)

    for name in states:
        if name not in index:
            visit(name)
    return found


def through_passes(states: dict[str, dict[str, Any]], name: str) -> str:
    """The first non-Pass state reached from `name` by following Pass states' Next."""
    seen = set()
    while states[name]["Type"] == "Pass" and "Next" in states[name]:
        if name in seen:
            raise AssertionError(f"Pass states loop at {name}")
        seen.add(name)
        name = states[name]["Next"]
    return name


def task_function(state: dict[str, Any], substitutions: dict[str, Any]) -> str | None:
    """Logical id of the Lambda function a Task invokes (plain ARN form or lambda:invoke), else None."""
    if state["Type"] != "Task":
        return None
    resource = state["Resource"]
    if resource.endswith(":states:::lambda:invoke"):
        resource = state.get("Parameters", {}).get("FunctionName", "")
    match = _PLACEHOLDER.match(resource)
    if not match:
        return None
    value = substitutions.get(match.group(1))
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        name, attr = target if isinstance(target, list) else str(target).split(".", 1)
        return name if attr == "Arn" else None
    return None


def task_integration(state: dict[str, Any], substitutions: dict[str, Any]) -> str | None:
    """'dynamodb:putItem' for a task whose Resource is arn:<partition>:states:::dynamodb:putItem."""
    resource = state.get("Resource", "")
    match = _PLACEHOLDER.match(resource)
    if match:
        value = substitutions.get(match.group(1))
        resource = value.get("Fn::Sub", "") if isinstance(value, dict) else str(value)
    if ":states:::" in resource:
        return resource.split(":states:::", 1)[1]
    return None


def retried_errors(state: dict[str, Any]) -> set[str]:
    return {error for retrier in state.get("Retry", []) for error in retrier["ErrorEquals"]}


def events_per_run(state: dict[str, Any]) -> int:
    return EVENTS_PER_STATE[state["Type"]]
