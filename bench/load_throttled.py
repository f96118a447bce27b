"""Load with throttling: 100 uploads at once while 30 % of all Bedrock calls answer
ThrottlingException. Each upload is a model folder of its own (the sample's files, then the trigger
file), from 100 threads at once, in one sandbox session (after one warm-up import without faults).
The clock stops when every execution has ended and every notification has been read back.

Counted from what a user sees: executions, notifications by outcome (read back from the topic's SQS
subscription), notifications missing or duplicated per upload, the models Bedrock holds, models
created twice (a second model, or a name conflict, for one upload), and the throttles - injected,
and retried as the execution histories show them. Correct means 0 missing, 0 duplicated, 0 created
twice, every notification ACTIVE and every throttle retried.
Run alone: python -m bench.load_throttled [--uploads N] [--throttle P] [--seed N]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.table import Row, render

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "nova-micro-demo"
FIGURE = "Load, throttled"


@dataclass(frozen=True)
class LoadResult:
    uploads: int
    throttle: float
    executions: int
    outcomes: dict[str, int]  # notifications by outcome
    missing: int  # uploads without a notification
    duplicated: int  # notifications beyond the first, per upload
    models_created: int
    models_created_twice: int
    throttles_injected: int
    throttles_retried: int  # BedrockThrottled attempts in the execution histories
    seconds: float

    @property
    def correct(self) -> bool:
        return (
            self.executions == self.uploads
            and self.outcomes == {"ACTIVE": self.uploads}
            and self.missing == 0
            and self.duplicated == 0
            and self.models_created == self.uploads
            and self.models_created_twice == 0
            and self.throttles_retried == self.throttles_injected
        )


def _throttled_attempts(history: list[dict]) -> int:
    return sum(
        1
        for event in history
        if event["type"] == "LambdaFunctionFailed" and event["lambdaFunctionFailedEventDetails"].get("error") == "BedrockThrottled"
    )


def run(uploads: int = 100, throttle: float = 0.3, seed: int = 7) -> LoadResult:
    from sandbox import BedrockBehaviour, Faults, Sandbox

    with Sandbox(ROOT, bedrock=BedrockBehaviour(outcome="active", polls=2), faults=Faults(seed=seed)) as sb:
        sb.upload_folder(SAMPLE, model_name="warm-up")  # the handlers' cold starts, not measured
        sb.wait_all()
        sb.messages()
        store = sb.bedrock_store()
        warm_models = len(store.created)
        for fault in Faults.throttle_bedrock(throttle).faults:
            sb.faults.add(fault)
        names = [f"load-{i:03d}" for i in range(uploads)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=uploads) as pool:
            list(pool.map(lambda name: sb.upload_folder(SAMPLE, model_name=name), names))
        executions = sb.wait_all(timeout=900)
        bodies = [m.body for m in sb.messages()]
        seconds = time.perf_counter() - started

        mine = [e for e in executions if e.input["detail"]["object"]["key"].split("/")[1] in names]
        per_name = Counter(b["modelName"] for b in bodies if b["modelName"] in names)
        created = Counter(store.created[warm_models:])
        return LoadResult(
            uploads=uploads,
            throttle=throttle,
            executions=len(mine),
            outcomes=dict(Counter(b["outcome"] for b in bodies if b["modelName"] in names)),
            missing=sum(1 for name in names if per_name[name] == 0),
            duplicated=sum(count - 1 for count in per_name.values() if count > 1),
            models_created=sum(created.values()),
            models_created_twice=sum(count - 1 for count in created.values() if count > 1) + len(store.conflicts),
            throttles_injected=sb.faults.count("bedrock"),
            throttles_retried=sum(_throttled_attempts(sb.history(e.arn)) for e in mine),
            seconds=seconds,
        )


def rows(uploads: int = 100, throttle: float = 0.3, seed: int = 7) -> list[Row]:
    r = run(uploads, throttle, seed)
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(r.outcomes.items())) or "none"
    share = f"{r.throttle:.0%}"
    return [
        Row(FIGURE, f"{r.uploads} uploads at once, {share} of Bedrock calls throttled: all correct",
            "yes" if r.correct else "NO", target="every upload one ACTIVE notification", met=r.correct),
        Row(FIGURE, "wall time, uploads to last notification read", f"{r.seconds:.2f} s"),
        Row(FIGURE, "executions", str(r.executions), target=str(r.uploads), met=r.executions == r.uploads),
        Row(FIGURE, "notifications by outcome", outcomes),
        Row(FIGURE, "notifications missing", str(r.missing), target="0", met=r.missing == 0),
        Row(FIGURE, "notifications duplicated", str(r.duplicated), target="0", met=r.duplicated == 0),
        Row(FIGURE, "models created", str(r.models_created), target=str(r.uploads), met=r.models_created == r.uploads),
        Row(FIGURE, "models created twice", str(r.models_created_twice), target="0", met=r.models_created_twice == 0),
        Row(FIGURE, "throttles injected / retried (in the histories)", f"{r.throttles_injected} / {r.throttles_retried}",
            target="all retried", met=r.throttles_retried == r.throttles_injected),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load_throttled")
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--throttle", type=float, default=0.3, help="fraction of Bedrock calls throttled")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(render(rows(args.uploads, args.throttle, args.seed)))


if __name__ == "__main__":
    main()
