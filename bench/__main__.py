"""`make bench`: run every benchmark and print one table.

    python -m bench                      # all figures (several minutes on 2 cores: setup_time runs pip twice)
    python -m bench cold_start polling   # some of them

Each figure also runs alone: python -m bench.cold_start, bench.package_size, bench.big_source, bench.open_weights,
bench.poll_interval, bench.throughput, bench.sandbox_demo, bench.sandbox_warm, bench.sandbox_concurrent,
bench.load_throttled, bench.sandbox_memory, bench.lambda_memory, bench.setup_time, bench.serve.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback

from bench.table import Row, render

# name -> (module, what it measures); the table keeps this order.
FIGURES = {
    "cold_start": ("bench.cold_start", "handler import and first invocation vs a minimal Powertools handler"),
    "package_size": ("bench.package_size", "zipped function and layer packages"),
    "big_source": ("bench.big_source", "ValidateArtifacts against 10,000 objects"),
    "open_weights": ("bench.open_weights", "ValidateArtifacts for a 70B-shaped open-weight folder beside 10,000 keys"),
    "polling": ("bench.poll_interval", "notification lag and transitions per poll policy"),
    "deployment": ("bench.deployment_phase", "extra transitions, invocations and cost per deployment mode"),
    "throughput": ("bench.throughput", "sandbox workflows per second"),
    "sandbox_demo": ("bench.sandbox_demo", "make demo wall time after set-up"),
    "sandbox_warm": ("bench.sandbox_warm", "one warm workflow run in the sandbox"),
    "sandbox_concurrent": ("bench.sandbox_concurrent", "100 concurrent uploads, all correct"),
    "load_throttled": ("bench.load_throttled", "100 uploads at once with 30 % of Bedrock calls throttled, all correct"),
    "load_queued": ("bench.load_queued", "100 uploads at once into 3 import slots, 30 % throttled: peak in flight, cost of waiting"),
    "sandbox_memory": ("bench.sandbox_memory", "sandbox peak RSS: the demo, 10/100/500 concurrent uploads"),
    "lambda_memory": ("bench.lambda_memory", "each Lambda's peak memory against its MemorySize"),
    "setup_time": ("bench.setup_time", "fresh-clone set-up of make demo and make test, uv against plain pip"),
    "serve": ("bench.serve", "python -m sandbox serve over HTTP: start-up, upload to notification (AWS CLI, boto3), 10 concurrent clients"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the benchmarks; print one table.")
    parser.add_argument("figures", nargs="*", metavar="figure", help=f"any of: {', '.join(FIGURES)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.figures if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    chosen = args.figures or list(FIGURES)
    rows: list[Row] = []
    failed = False
    started = time.perf_counter()
    for name in chosen:
        module_name, what = FIGURES[name]
        print(f"[bench] {name}: {what} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            rows += importlib.import_module(module_name).rows()
        except Exception as err:  # noqa: BLE001 - report the figure as failed, run the others
            failed = True
            traceback.print_exc()
            rows.append(Row(name, "FAILED", f"{type(err).__name__}: {err}"[:100]))
        print(f"[bench] {name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    print(render(rows))
    print(f"\n{len(rows)} figures in {time.perf_counter() - started:.0f} s on {_machine()}.")
    return 1 if failed else 0


def _machine() -> str:
    import os
    import platform

    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"


if __name__ == "__main__":
    sys.exit(main())
