"""Sandbox throughput: whole workflows per second (S3 upload -> EventBridge -> Step Functions ->
the four Lambdas -> SNS) at 1, 10 and 100 concurrent uploads, in one sandbox session, with the
template's defaults and a Bedrock that turns Active on the 2nd check (Wait states compressed as
`make demo` does: one emulated minute takes 10 ms). The 1-upload rate is the baseline.

Each level's uploads start together from as many threads; the clock stops when every execution
has ended, and every one must have succeeded with exactly one notification.
Run alone: python -m bench.throughput
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.table import Row, render

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "nova-micro-demo"
LEVELS = (1, 10, 100)


def run_level(sb: Any, concurrency: int, tag: str) -> float:
    """Seconds from the first upload until all `concurrency` workflows have ended."""
    names = [f"tp-{tag}-{i}" for i in range(concurrency)]
    before = {e.arn for e in sb.executions()}
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda name: sb.upload_folder(SAMPLE, model_name=name), names))
    executions = sb.wait_all(timeout=300)
    seconds = time.perf_counter() - started
    mine = [e for e in executions if e.arn not in before]
    failed = [e.name for e in mine if e.status != "SUCCEEDED"]
    if len(mine) != concurrency or failed:
        raise AssertionError(f"{concurrency} uploads: {len(mine)} executions, not succeeded: {failed[:5]}")
    return seconds


def measure() -> dict[int, float]:
    from sandbox import BedrockBehaviour, Sandbox

    with Sandbox(ROOT, bedrock=BedrockBehaviour(outcome="active", polls=2)) as sb:
        run_level(sb, 1, "warm-up")  # imports the handlers (their cold start) outside the timed runs
        seconds = {n: run_level(sb, n, f"c{n}") for n in LEVELS}
        published = [b for b in sb.notifications() if b["modelName"].startswith("tp-c")]
        if len(published) != sum(LEVELS):
            raise AssertionError(f"{len(published)} notifications for {sum(LEVELS)} workflows")
    return seconds


def rows() -> list[Row]:
    seconds = measure()
    base = 1 / seconds[1]
    out = []
    for n in LEVELS:
        rate = n / seconds[n]
        out.append(Row(
            "Sandbox throughput", f"{n} concurrent upload{'s' if n > 1 else ''}",
            f"{rate:.1f} workflows/s ({seconds[n]:.2f} s for {n})",
            "" if n == 1 else f"{base:.1f} workflows/s at 1", "" if n == 1 else f"{rate / base:.1f}x",
        ))
    return out


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
