"""Polling: how long after the model turns Active the notification goes out, and what each
import costs in state transitions and Lambda invocations, per poll policy, measured on the real
ASL and handlers in the sandbox (time-compressed), beside a fixed 300 s poller (the AWS sample's
Wait 300 -> Get -> Choice loop: the same ASL with PollIntervalSeconds=300).

Each import turns Active at 5, 30 or 120 emulated minutes, shifted by -225, -75, +75 and +225 s:
four completion times spread evenly over 600 s (a multiple of every interval measured), so the
mean lag is the expected lag of an import that may finish at any moment. The emulated Bedrock
answers Active on the first check at or after that time; the check times are read back from the
execution history (the sum of its Wait states), as are the transitions (*StateEntered events,
what Step Functions bills) and the invocations (LambdaFunctionScheduled events).

The last policy is a what-if, not shipped: a geometric backoff, run by replacing the schedule
function the handlers use (model_import.loop.next_wait) in this process.
Run alone: python -m bench.poll_interval
"""

from __future__ import annotations

import contextlib
import json
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.table import Row, render

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "nova-micro-demo"
DURATIONS_MINUTES = (5, 30, 120)
PHASES_SECONDS = (-225, -75, 75, 225)
PRICE_PER_TRANSITION = 0.025 / 1000
TIME_SCALE = 1e-5  # an emulated 300 s Wait sleeps 3 ms
TIMEOUT_MINUTES = 240  # the template's default ImportTimeoutMinutes


@dataclass(frozen=True)
class Policy:
    label: str
    interval: int  # PollIntervalSeconds
    backoff_rate: float = 1.0  # what-if only: the interval grows by this factor per check...
    max_interval: int = 0  # ...up to this

    def schedule(self) -> Callable[..., int]:
        """The next_wait function the handlers use under this policy."""
        from model_import import polling

        if self.backoff_rate == 1.0:
            return polling.next_wait

        def next_wait(state: Any, settings: Any) -> int:
            remaining = settings.import_timeout_minutes * 60 - state.waited_seconds
            interval = min(self.max_interval, round(settings.poll_interval_seconds * self.backoff_rate ** state.checks))
            return max(1, min(interval, remaining))

        return next_wait


DEFAULT = Policy("60 s (default)", 60)
AWS_SAMPLE = Policy("300 s fixed (AWS sample)", 300)
POLICIES = (
    Policy("30 s", 30),
    DEFAULT,
    Policy("120 s", 120),
    AWS_SAMPLE,
    Policy("what-if: 60 s x1.2 per check, cap 300 s", 60, 1.2, 300),
)


@dataclass(frozen=True)
class Import:
    model_name: str
    minutes: int
    active_at: int  # emulated seconds after CreateCustomModel
    checks_needed: int


@dataclass(frozen=True)
class Measured:
    lag: int  # emulated seconds from Active to the check that saw it
    transitions: int
    invocations: int
    checks: int


def plan(policy: Policy) -> list[Import]:
    from model_import.polling import PollState
    from model_import.settings import PollSettings

    settings = PollSettings(poll_interval_seconds=policy.interval, import_timeout_minutes=TIMEOUT_MINUTES)
    next_wait = policy.schedule()
    imports = []
    for minutes in DURATIONS_MINUTES:
        for i, phase in enumerate(PHASES_SECONDS):
            active_at = minutes * 60 + phase
            checks, waited = 0, 0
            while waited < active_at:  # as CreateCustomModel, then each CheckModelStatus, computes it
                waited += next_wait(PollState(checks=checks, waited_seconds=waited), settings)
                checks += 1
            imports.append(Import(f"poll-{policy.interval}-{minutes}m-{i}", minutes, active_at, checks))
    return imports


@contextlib.contextmanager
def schedule_installed(policy: Policy) -> Iterator[None]:
    from model_import import loop

    original = loop.next_wait
    loop.next_wait = policy.schedule()
    try:
        yield
    finally:
        loop.next_wait = original


def measure_history(events: list[dict[str, Any]], active_at: int) -> Measured:
    kinds = Counter(event["type"] for event in events)
    waits = [
        json.loads(event["stateEnteredEventDetails"]["input"])["model"]["waitSeconds"]
        for event in events
        if event["type"] == "WaitStateEntered"
    ]
    check_times = [sum(waits[: i + 1]) for i in range(len(waits))]
    if not check_times or check_times[-1] < active_at or (len(check_times) > 1 and check_times[-2] >= active_at):
        raise AssertionError(f"the checks at {check_times[-3:]} s do not bracket Active at {active_at} s")
    return Measured(
        lag=check_times[-1] - active_at,
        transitions=sum(n for kind, n in kinds.items() if kind.endswith("StateEntered")),
        invocations=kinds["LambdaFunctionScheduled"],
        checks=len(check_times),
    )


def run_policy(policy: Policy) -> dict[int, list[Measured]]:
    """Every planned import of this policy, in one sandbox; the measurements by duration."""
    from sandbox import BedrockBehaviour, Sandbox

    imports = plan(policy)
    behaviour = BedrockBehaviour(
        outcome="active", per_model={i.model_name: BedrockBehaviour(outcome="active", polls=i.checks_needed) for i in imports}
    )
    parameters = {"PollIntervalSeconds": str(policy.interval), "ImportTimeoutMinutes": str(TIMEOUT_MINUTES)}
    results: dict[int, list[Measured]] = {minutes: [] for minutes in DURATIONS_MINUTES}
    with schedule_installed(policy), Sandbox(ROOT, bedrock=behaviour, parameters=parameters, time_scale=TIME_SCALE) as sb:
        for item in imports:
            sb.upload_folder(SAMPLE, model_name=item.model_name)
        executions = sb.wait_all(timeout=600)
        by_name = {body["executionArn"]: body for body in sb.notifications()}
        planned = {item.model_name: item for item in imports}
        for execution in executions:
            body = by_name[execution.arn]
            if body["outcome"] != "ACTIVE":
                raise AssertionError(f"{body['modelName']}: outcome {body['outcome']}: {body['reason']}")
            item = planned[body["modelName"]]
            results[item.minutes].append(measure_history(sb.history(execution.arn), item.active_at))
    return results


def _summary(results: list[Measured]) -> dict[str, float]:
    return {
        "lag": statistics.mean(r.lag for r in results),
        "max_lag": max(r.lag for r in results),
        "transitions": statistics.mean(r.transitions for r in results),
        "invocations": statistics.mean(r.invocations for r in results),
        "cost": statistics.mean(r.transitions for r in results) * PRICE_PER_TRANSITION,
    }


def _describe(s: dict[str, float]) -> str:
    return (f"lag {s['lag']:.0f} s (max {s['max_lag']:.0f}); {s['transitions']:.0f} transitions, "
            f"{s['invocations']:.0f} invocations, ${s['cost']:.4f}")


def rows() -> list[Row]:
    measured = {policy: {m: _summary(r) for m, r in run_policy(policy).items()} for policy in POLICIES}
    out = []
    for minutes in DURATIONS_MINUTES:
        base = measured[AWS_SAMPLE][minutes]
        for policy in POLICIES:
            mine = measured[policy][minutes]
            is_base = policy is AWS_SAMPLE
            out.append(Row(
                "Polling", f"{minutes}-min import, {policy.label}", _describe(mine),
                "" if is_base else f"lag {base['lag']:.0f} s, {base['transitions']:.0f} transitions at 300 s",
                "" if is_base else f"lag {mine['lag'] / base['lag']:.2f}x, cost {mine['cost'] / base['cost']:.1f}x",
            ))
    return out


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
