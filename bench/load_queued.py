"""A queued burst: 100 uploads at once into a stack with MaxConcurrentImports=3, against an emulated
Bedrock whose account allows 3 imports at once (--quota concurrent=3), while 30 % of all Bedrock
calls answer ThrottlingException, with ImportTimeoutMinutes=2880. One sandbox session, after one warm-up import without faults.

Counted from what a user sees and from the emulator's own record: notifications by outcome, missing
or duplicated ones, quota refusals, the peak of imports in flight (created, not yet Active or
Failed), the wall time, and what waiting costs: the state transitions an import spends in the slot
loop beyond the one AcquireImportSlot and HasImportSlot every import passes.
Run alone: python -m bench.load_queued [--uploads N] [--concurrent N] [--throttle P] [--seed N]
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
FIGURE = "Load, queued"
SLOT_LOOP = ("AcquireImportSlot", "HasImportSlot", "WaitForImportSlot")


@dataclass(frozen=True)
class QueuedResult:
    uploads: int
    concurrent: int
    outcomes: dict[str, int]
    missing: int
    duplicated: int
    quota_refusals: int
    peak_in_flight: int
    seconds: float
    extra_transitions: list[int]  # per import: slot-loop states entered beyond the first two
    queued_seconds: list[int]  # per import: the notification's queuedSeconds

    @property
    def correct(self) -> bool:
        return (
            self.outcomes == {"ACTIVE": self.uploads}
            and self.missing == 0
            and self.duplicated == 0
            and self.quota_refusals == 0
            and self.peak_in_flight <= self.concurrent
        )


def run(uploads: int = 100, concurrent: int = 3, throttle: float = 0.3, seed: int = 7) -> QueuedResult:
    from sandbox import BedrockBehaviour, Faults, Sandbox
    from sandbox.quotas import Quotas

    quotas = Quotas(concurrent=concurrent)
    # A burst of 100 into 3 slots queues for hours on AWS (about 33 imports in a row): longer than the
    # default ImportTimeoutMinutes (240), which bounds the wait for a slot too. The stack's maximum
    # (48 hours) is what such a sweep needs; the README says so.
    parameters = {"MaxConcurrentImports": str(concurrent), "ImportTimeoutMinutes": "2880"}
    # Waits compressed 600x, not the sandbox's 6000x: the handlers' CPU time is not compressed, and at
    # 6000x a 100-deep queue on 2 cores spends its whole (simulated) deadline before the imports
    # ahead of it can finish - a sandbox artifact, since on AWS a handler's run is tiny beside a wait.
    behaviour = BedrockBehaviour(polls=2, quotas=quotas)
    with Sandbox(ROOT, bedrock=behaviour, faults=Faults(seed=seed), parameters=parameters, time_scale=1 / 600) as sb:
        sb.upload_folder(SAMPLE, model_name="warm-up")  # the handlers' cold starts, not measured
        sb.wait_all()
        sb.messages()
        for fault in Faults.throttle_bedrock(throttle).faults:
            sb.faults.add(fault)
        names = [f"queued-{i:03d}" for i in range(uploads)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=uploads) as pool:
            list(pool.map(lambda name: sb.upload_folder(SAMPLE, model_name=name), names))
        executions = sb.wait_all(timeout=1800)
        bodies = [m.body for m in sb.messages() if m.body["modelName"] in names]
        seconds = time.perf_counter() - started
        mine = [e for e in executions if e.input["detail"]["object"]["key"].split("/")[1] in names]
        extra = []
        for execution in mine:
            entered = [e["stateEnteredEventDetails"]["name"] for e in sb.history(execution.arn) if "stateEnteredEventDetails" in e]
            extra.append(sum(1 for name in entered if name in SLOT_LOOP) - 2)
        per_name = Counter(b["modelName"] for b in bodies)
        return QueuedResult(
            uploads=uploads,
            concurrent=concurrent,
            outcomes=dict(Counter(b["outcome"] for b in bodies)),
            missing=sum(1 for name in names if per_name[name] == 0),
            duplicated=sum(count - 1 for count in per_name.values() if count > 1),
            quota_refusals=len(quotas.refused),
            peak_in_flight=quotas.peak_in_flight,
            seconds=seconds,
            extra_transitions=extra,
            queued_seconds=[int(b["queuedSeconds"] or 0) for b in bodies],
        )


def rows(uploads: int = 100, concurrent: int = 3, throttle: float = 0.3, seed: int = 7) -> list[Row]:
    r = run(uploads, concurrent, throttle, seed)
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(r.outcomes.items())) or "none"
    extra = sorted(r.extra_transitions) or [0]
    queued = sorted(r.queued_seconds) or [0]
    return [
        Row(FIGURE, f"{r.uploads} uploads at once, {r.concurrent} slots, {throttle:.0%} throttled: all correct",
            "yes" if r.correct else "NO", target="every upload ACTIVE, none refused", met=r.correct),
        Row(FIGURE, "peak imports in flight (the emulator's record)", str(r.peak_in_flight),
            target=f"<= {r.concurrent}", met=r.peak_in_flight <= r.concurrent),
        Row(FIGURE, "quota refusals (ServiceQuotaExceededException)", str(r.quota_refusals), target="0", met=r.quota_refusals == 0),
        Row(FIGURE, "wall time, uploads to last notification read", f"{r.seconds:.2f} s"),
        Row(FIGURE, "notifications by outcome", outcomes),
        Row(FIGURE, "notifications missing / duplicated", f"{r.missing} / {r.duplicated}", target="0 / 0",
            met=r.missing == 0 and r.duplicated == 0),
        Row(FIGURE, "extra state transitions per import for waiting: mean / max",
            f"{sum(extra) / len(extra):.1f} / {extra[-1]}"),
        Row(FIGURE, "queuedSeconds (simulated): median / max", f"{queued[len(queued) // 2]} / {queued[-1]}"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load_queued")
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--concurrent", type=int, default=3)
    parser.add_argument("--throttle", type=float, default=0.3, help="fraction of Bedrock calls throttled")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(render(rows(args.uploads, args.concurrent, args.throttle, args.seed)))


if __name__ == "__main__":
    main()
