"""The sandbox's peak memory: peak RSS of a fresh process running `make demo`'s command, and of one
session taking N uploads, N = 10, 100, 500, in waves of at most 100 concurrent uploads (each wave
ends before the next starts; all must end ACTIVE, with one notification and one model each). 500
at once is beyond the sandbox: its Lambda runs one invoke at a time, so on 2 busy cores some Task
states reach their real-time TimeoutSeconds. Each figure runs in its own process, so one cannot
inherit another's peak; the growth per upload is shown for each step.
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
        _waves(int(what))
    print(json.dumps({"peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _waves(uploads: int, wave: int = 100) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sandbox import BedrockBehaviour, Sandbox

    sample = ROOT / "examples" / "nova-micro-demo"
    names = [f"memory-{i:04d}" for i in range(uploads)]
    with Sandbox(ROOT, bedrock=BedrockBehaviour(outcome="active", polls=2)) as sb:
        for start in range(0, uploads, wave):
            with ThreadPoolExecutor(max_workers=wave) as pool:
                list(pool.map(lambda name: sb.upload_folder(sample, model_name=name), names[start:start + wave]))
            sb.wait_all(timeout=1800)
        executions = sb.wait_all(timeout=1800)
        active = {m.body["modelName"] for m in sb.messages() if m.body["outcome"] == "ACTIVE"}
        models = {m["modelName"] for m in sb.models() if m["modelStatus"] == "Active"}
        succeeded = sum(e.status == "SUCCEEDED" for e in executions)
        if succeeded != uploads or active != set(names) or models != set(names):
            raise AssertionError(f"{uploads} uploads: {succeeded} succeeded, {len(active)} ACTIVE, {len(models)} models")


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
        out.append(Row("Memory", f"sandbox peak RSS, {n} uploads (<= 100 at once), all ACTIVE", f"{peak:.0f} MiB",
                       target=target, met=(peak <= TARGET_MIB_AT_100) if n == 100 else None))
    steps = sorted(peaks.items())
    for (n0, p0), (n1, p1) in zip(steps, steps[1:]):
        out.append(Row("Memory", f"growth {n0} -> {n1} uploads: x{p1 / p0:.2f} memory for x{n1 / n0:.0f} uploads",
                       f"{(p1 - p0) / (n1 - n0) * 1024:.0f} KiB per upload", target="sublinear", met=p1 / p0 < n1 / n0))
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
