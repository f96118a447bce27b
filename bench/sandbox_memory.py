"""The sandbox's peak memory: peak RSS of a fresh process running `make demo`'s command, and of one
running N concurrent uploads (bench/sandbox_concurrent.py's round: all must end ACTIVE) for N = 10,
100, 500. Each figure runs in its own process, so one cannot inherit another's peak; growth from 10
to 500 uploads is shown per upload, to show that memory grows sublinearly with the uploads.
Run alone: python -m bench.sandbox_memory [--uploads 10 100 500]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path

from bench.table import Row, render

ROOT = Path(__file__).resolve().parent.parent
TARGET_MIB_AT_100 = 300


def _child(what: str) -> None:
    """In the measured process: run the scenario, then print this process's peak RSS (MiB) as JSON."""
    if what == "demo":
        from sandbox.cli import main

        code = main(["run", "--artifacts", str(ROOT / "examples" / "nova-micro-demo")])
        if code != 0:
            raise SystemExit(f"the demo ended {code}")
    else:
        from bench.sandbox_concurrent import one_round

        one_round(int(what), timeout=3600)  # the peak of a round that finishes, however slow the machine
    print(json.dumps({"peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def peak_mib(what: str) -> float:
    done = subprocess.run([sys.executable, "-m", "bench.sandbox_memory", "--child", what], cwd=ROOT,
                          capture_output=True, text=True, timeout=3700, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{what}: {done.stderr[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_mib"]


def rows(uploads: tuple[int, ...] = (10, 100, 500)) -> list[Row]:
    out = [Row("Memory", "sandbox peak RSS, make demo's command (one import)", f"{peak_mib('demo'):.0f} MiB")]
    peaks = {n: peak_mib(str(n)) for n in uploads}
    for n, peak in peaks.items():
        target = f"<= {TARGET_MIB_AT_100} MiB" if n == 100 else ""
        out.append(Row("Memory", f"sandbox peak RSS, {n} concurrent uploads, all ACTIVE", f"{peak:.0f} MiB",
                       target=target, met=(peak <= TARGET_MIB_AT_100) if n == 100 else None))
    if len(peaks) >= 2:
        (n0, p0), (n1, p1) = min(peaks.items()), max(peaks.items())
        per_upload = (p1 - p0) / (n1 - n0)
        out.append(Row("Memory", f"growth {n0} -> {n1} uploads: x{p1 / p0:.2f} memory for x{n1 / n0:.0f} uploads",
                       f"{per_upload * 1024:.0f} KiB per upload", target="sublinear", met=p1 / p0 < n1 / n0))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox_memory")
    parser.add_argument("--uploads", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    print(render(rows(tuple(args.uploads))))


if __name__ == "__main__":
    main()
