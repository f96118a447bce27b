"""Each Lambda function's peak memory, beside the MemorySize the template gives it, two ways:

- process peak RSS: the handler in a fresh Python 3.13 process (bench/cold_start.py's child:
  import, first call with its boto3 client, a warm call), median of --runs. This is what Lambda's
  "Max Memory Used" reports: the peak resident memory of the function's runtime process, where the
  interpreter, boto3/botocore and Powertools dominate. (Lambda's own runtime client adds a little.)
- sandbox allocation peak: tracemalloc's peak per invoke in the sandbox's in-process Lambda runtime
  (sandbox/lambdas.py) over a whole import, ACTIVE after two checks; the largest invoke per function.
  The sandbox has boto3 loaded already and runs moto's side of each call in the same process, so
  this shows what the handler's own work adds (events, pages, JSON), not the runtime's floor.
Run alone: python -m bench.lambda_memory [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import tracemalloc
from pathlib import Path

from bench import cold_start
from bench.stub_aws import StubAws
from bench.table import Row, render

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "nova-micro-demo"
NAMES = {f"{s.name}Function": s.name for s in cold_start.FUNCTIONS}


def sandbox_peaks() -> tuple[dict[str, int], dict[str, int]]:
    """(largest tracemalloc peak per function over one import, MemorySize per function)."""
    from sandbox import BedrockBehaviour, Sandbox

    tracemalloc.start()
    try:
        with Sandbox(ROOT, bedrock=BedrockBehaviour(outcome="active", polls=2)) as sb:
            sb.upload_folder(SAMPLE)
            sb.wait_all()
            sb.messages()
            peaks: dict[str, int] = {}
            for invocation in sb._runtime.invocations:
                peaks[invocation.function] = max(peaks.get(invocation.function, 0), invocation.peak_bytes or 0)
            memory = {code.logical_id: code.memory_mb for code in sb.stack.functions.values()}
    finally:
        tracemalloc.stop()
    return peaks, memory


def process_peaks(runs: int) -> tuple[dict[str, float], str]:
    """(median peak RSS in MiB per subject name, the Python it ran on)."""
    python, label = cold_start.child_python()
    subjects = (cold_start.BASELINE, *cold_start.FUNCTIONS)
    samples: dict[str, list[float]] = {s.name: [] for s in subjects}
    with StubAws() as endpoint:
        for _ in range(runs):
            for subject in subjects:
                samples[subject.name].append(cold_start.measure_once(subject, endpoint, python)["maxrss_kib"] / 1024)
    return {name: statistics.median(values) for name, values in samples.items()}, label


def rows(runs: int = 5) -> list[Row]:
    rss, label = process_peaks(runs)
    peaks, memory = sandbox_peaks()
    out = []
    for logical_id, name in NAMES.items():
        out.append(Row(
            "Lambda memory", f"{name}: peak RSS of the function's process ({label}), median of {runs}",
            f"{rss[name]:.0f} MiB", f"MemorySize {memory[logical_id]} MB",
            f"{rss[name] / memory[logical_id]:.0%} used",
        ))
        out.append(Row("Lambda memory", f"{name}: largest invoke's allocation peak in the sandbox (tracemalloc)",
                       f"{peaks.get(logical_id, 0) / 1024 / 1024:.1f} MiB"))
    out.append(Row("Lambda memory", f"floor: the minimal Powertools handler's process ({label})",
                   f"{rss[cold_start.BASELINE.name]:.0f} MiB"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lambda_memory")
    parser.add_argument("--runs", type=int, default=5)
    print(render(rows(parser.parse_args().runs)))


if __name__ == "__main__":
    main()
