"""100 concurrent uploads in one sandbox session: 100 threads each upload a model folder of its
own (the sample's files, then the trigger file) at once; the clock stops when every execution has
ended and every notification has been read back. All must be correct: 100 executions SUCCEEDED,
100 ACTIVE notifications (one per model), 100 models Active.
Run alone: python -m bench.sandbox_concurrent [--uploads N] [--runs N]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.table import Row, median, render

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "nova-micro-demo"
TARGET_SECONDS = 15.0


def one_round(uploads: int, timeout: float = 600) -> tuple[float, float]:
    """(seconds until all done, seconds until all uploads returned)."""
    from sandbox import BedrockBehaviour, Sandbox

    with Sandbox(ROOT, bedrock=BedrockBehaviour(outcome="active", polls=2)) as sb:
        sb.upload_folder(SAMPLE, model_name="warm-up")  # the handlers' cold starts, not measured
        sb.wait_all()
        sb.messages()
        names = [f"concurrent-{i:03d}" for i in range(uploads)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=uploads) as pool:
            list(pool.map(lambda name: sb.upload_folder(SAMPLE, model_name=name), names))
        uploaded = time.perf_counter() - started
        executions = sb.wait_all(timeout=timeout)
        bodies = [m.body for m in sb.messages()]
        seconds = time.perf_counter() - started
        mine = [e for e in executions if e.name and e.input["detail"]["object"]["key"].split("/")[1] in names]
        active = {b["modelName"] for b in bodies if b["outcome"] == "ACTIVE"} & set(names)
        models = {m["modelName"] for m in sb.models() if m["modelStatus"] == "Active"} & set(names)
        if len(mine) != uploads or any(e.status != "SUCCEEDED" for e in mine) or len(active) != uploads or len(models) != uploads:
            from collections import Counter

            ends = Counter((e.status, getattr(e, "error", None)) for e in mine)
            reasons = Counter((b["outcome"], (b.get("reason") or "")[:120]) for b in bodies if b["outcome"] != "ACTIVE")
            raise AssertionError(f"{uploads} uploads: {len(mine)} executions, {len(active)} ACTIVE notifications, "
                                 f"{len(models)} models; ends {dict(ends)}; other outcomes {reasons.most_common(3)}")
    return seconds, uploaded


def rows(uploads: int = 100, runs: int = 1) -> list[Row]:
    results = [one_round(uploads) for _ in range(runs)]
    total = median(r[0] for r in results)
    return [
        Row("Sandbox concurrency", f"{uploads} concurrent uploads, all ACTIVE (median of {runs})", f"{total:.2f} s",
            target=f"<= {TARGET_SECONDS:.0f} s", met=total <= TARGET_SECONDS),
        Row("Sandbox concurrency", "of which the uploads themselves (EventBridge starts included)", f"{median(r[1] for r in results):.2f} s"),
        Row("Sandbox concurrency", "workflows per second", f"{uploads / total:.1f}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox_concurrent")
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(render(rows(args.uploads, args.runs)))


if __name__ == "__main__":
    main()
