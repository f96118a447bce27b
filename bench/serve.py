"""`python -m sandbox serve` driven from outside, over HTTP, by the real AWS CLI and boto3.

- start-up: from starting the process to its environment printed (median of 3 starts);
- upload to notification through the CLI: `aws s3 cp manifest.json s3://.../manifest.json`
  (a process of its own, as a user runs it) until the ACTIVE notification is read from the
  notifications queue (median of 5);
- the same with boto3's put_object from a warm client (median of 20);
- 100 uploads from 10 concurrent boto3 clients (10 each, each client its own thread): all must be
  correct (100 executions SUCCEEDED, one ACTIVE notification per model, 100 models Active).
Each import uses an escrow manifest whose checkpoint is staged first, as a training job leaves it.
Run alone: python -m bench.serve [--uploads N] [--clients N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.table import Row, median, ms, render
from sandbox.served import ServedSandbox, cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
AWS = ROOT / ".venv" / "bin" / "aws"
ESCROW = "customer-escrow-123456789012-smtj-bench01"
STARTUP_TARGET = 3.0
BOTO3_TARGET = 0.5


class Inbox:
    """Reads the notifications queue continuously; when each model's notifications arrived."""

    def __init__(self, served: ServedSandbox) -> None:
        self._sqs = served.client("sqs")
        self._url = served.env["SANDBOX_NOTIFICATIONS_QUEUE_URL"]
        self.bodies: list[dict[str, Any]] = []
        self.arrived: dict[str, float] = {}  # modelName -> perf_counter of its first notification
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            batch = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            now = time.perf_counter()
            if not batch:
                continue
            self._sqs.delete_message_batch(
                QueueUrl=self._url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
            )
            with self._cond:
                for message in batch:
                    body = json.loads(json.loads(message["Body"])["Message"])
                    self.bodies.append(body)
                    self.arrived.setdefault(str(body.get("modelName")), now)
                self._cond.notify_all()

    def wait_for(self, names: set[str], timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not names <= set(self.arrived):
                if not self._cond.wait(max(0.0, deadline - time.monotonic())) and time.monotonic() > deadline:
                    raise TimeoutError(f"no notification for {sorted(names - set(self.arrived))[:5]} in {timeout} s")

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def stage(s3: Any, name: str) -> bytes:
    """The checkpoint at its escrow URI, as a training job leaves it; returns the manifest to upload."""
    prefix = f"{name}/step_100/"
    s3.put_object(Bucket=ESCROW, Key=prefix + "model.safetensors", Body=b"weights")
    return json.dumps({"checkpoint_s3_bucket": f"s3://{ESCROW}/{prefix}"}).encode()


_BASELINE = """
import sys, time
from sandbox import Sandbox
sb = Sandbox().start()  # the same session serve starts, without the HTTP endpoint
print("ready", flush=True)
sys.stdin.read()
"""


def _baseline_startup() -> tuple[float, float | None]:
    """Start-up of the in-process sandbox alone, in a fresh process: (wall, CPU) seconds."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", _BASELINE], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdin is not None
    process.stdout.readline()
    wall, cpu = time.perf_counter() - started, cpu_seconds(process.pid)
    process.stdin.close()
    process.wait(60)
    return wall, cpu


def startup(runs: int = 3) -> dict[str, float | None]:
    """serve's start-up and the in-process sandbox's, alternated, median of each."""
    serve_wall, serve_cpu, base_wall, base_cpu = [], [], [], []
    for _ in range(runs):
        wall, cpu = _baseline_startup()
        base_wall.append(wall)
        base_cpu.append(cpu)
        with ServedSandbox() as served:
            serve_wall.append(served.startup_seconds)
            serve_cpu.append(served.startup_cpu_seconds)
        if served.returncode != 0:
            raise AssertionError(f"serve exited {served.returncode} on SIGTERM: {served.stderr()[-500:]}")
    cpu_known = all(c is not None for c in serve_cpu + base_cpu)
    return {
        "wall": median(serve_wall), "base_wall": median(base_wall),
        "cpu": median(serve_cpu) if cpu_known else None, "base_cpu": median(base_cpu) if cpu_known else None,  # type: ignore[arg-type]
    }


def _aws_process_seconds(env: dict[str, str], runs: int = 5) -> float:
    """One `aws s3api list-buckets` (a process of its own): what any CLI call costs before the workflow."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(AWS), "s3api", "list-buckets"], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return median(times)


PEAK_RSS_TARGET_MIB = 300  # the in-process sandbox's target at 100 concurrent uploads (bench/sandbox_memory.py)


def measure(uploads: int = 100, clients: int = 10, cli_runs: int = 5, boto3_runs: int = 20) -> dict[str, Any]:
    with ServedSandbox() as served:
        s3 = served.client("s3")
        s3.create_bucket(Bucket=ESCROW)
        bucket = served.env["SANDBOX_BUCKET"]
        inbox = Inbox(served)
        try:
            warm = stage(s3, "warm-up")  # the handlers' cold starts, not measured
            s3.put_object(Bucket=bucket, Key="incoming/warm-up/manifest.json", Body=warm)
            inbox.wait_for({"warm-up"})

            cli = []
            env = served.environ()
            aws_call = _aws_process_seconds(env, cli_runs)
            for i in range(cli_runs):
                name = f"cli-{i:02d}"
                manifest = Path(f"/tmp/bench-serve-{name}.json")
                manifest.write_bytes(stage(s3, name))
                started = time.perf_counter()
                subprocess.run([str(AWS), "s3", "cp", str(manifest), f"s3://{bucket}/incoming/{name}/manifest.json"],
                               env=env, check=True, capture_output=True)
                inbox.wait_for({name})
                cli.append(inbox.arrived[name] - started)
                manifest.unlink()

            sdk = []
            for i in range(boto3_runs):
                name = f"boto3-{i:02d}"
                body = stage(s3, name)
                started = time.perf_counter()
                s3.put_object(Bucket=bucket, Key=f"incoming/{name}/manifest.json", Body=body)
                inbox.wait_for({name})
                sdk.append(inbox.arrived[name] - started)

            names = [f"load-{i:03d}" for i in range(uploads)]
            bodies = {name: stage(s3, name) for name in names}
            per_client = [names[i::clients] for i in range(clients)]

            def one_client(mine: list[str]) -> None:
                own = served.client("s3")  # a client (and connection pool) of its own
                for name in mine:
                    own.put_object(Bucket=bucket, Key=f"incoming/{name}/manifest.json", Body=bodies[name])

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=clients) as pool:
                list(pool.map(one_client, per_client))
            inbox.wait_for(set(names))
            wall = time.perf_counter() - started
            load = _check_load(served, inbox, set(names))
            peak_rss = served.peak_rss_bytes()
        finally:
            inbox.close()
    return {"cli": median(cli), "aws_call": aws_call, "boto3": median(sdk), "cli_runs": cli_runs, "boto3_runs": boto3_runs,
            "wall": wall, "uploads": uploads, "clients": clients, "peak_rss": peak_rss, **load}


def _check_load(served: ServedSandbox, inbox: Inbox, names: set[str]) -> dict[str, Any]:
    """Every upload's outcome, read back through the API: all must be correct."""
    time.sleep(0.5)  # a duplicate notification, if any, would arrive now
    mine = [b for b in inbox.bodies if b.get("modelName") in names]
    active = {b["modelName"] for b in mine if b["outcome"] == "ACTIVE"}
    bedrock = served.client("bedrock")
    models = [m for page in bedrock.get_paginator("list_custom_models").paginate() for m in page["modelSummaries"]]
    active_models = {m["modelName"] for m in models if m["modelStatus"] == "Active"} & names
    sfn = served.client("stepfunctions")
    executions = [
        e for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=served.env["SANDBOX_STATE_MACHINE_ARN"])
        for e in page["executions"] if e["name"]
    ]
    succeeded = sum(1 for e in executions if e["status"] == "SUCCEEDED")
    problems = []
    if len(mine) != len(names) or active != names:
        problems.append(f"{len(mine)} notifications, {len(active)} ACTIVE for {len(names)} uploads")
    if active_models != names:
        problems.append(f"{len(active_models)} Active models")
    if any(e["status"] != "SUCCEEDED" for e in executions):
        problems.append(f"{len(executions) - succeeded} executions did not succeed")
    if problems:
        raise AssertionError("; ".join(problems))
    return {"notifications": len(mine), "models": len(active_models), "executions": succeeded}


def rows(uploads: int = 100, clients: int = 10) -> list[Row]:
    up = startup()
    result = measure(uploads, clients)
    cpu = (f", {up['cpu']:.2f} s CPU" if up["cpu"] is not None else "")
    base_cpu = (f", {up['base_cpu']:.2f} s CPU" if up["base_cpu"] is not None else "")
    return [
        Row("Serve", "start-up: process start to environment printed (median of 3)", f"{up['wall']:.2f} s{cpu}",
            baseline=f"{up['base_wall']:.2f} s{base_cpu}: the in-process sandbox alone", ratio=f"{up['wall'] / up['base_wall']:.2f}x",
            target=f"<= {STARTUP_TARGET:.0f} s", met=up["wall"] <= STARTUP_TARGET),
        Row("Serve", f"upload to notification, `aws s3 cp` (its own process) (median of {result['cli_runs']})", ms(result["cli"]),
            baseline=f"{ms(result['aws_call'])}: `aws s3api list-buckets`", ratio=f"{result['cli'] / result['aws_call']:.2f}x"),
        Row("Serve", f"upload to notification, boto3 put_object (median of {result['boto3_runs']})", ms(result["boto3"]),
            target=f"<= {BOTO3_TARGET * 1000:.0f} ms", met=result["boto3"] <= BOTO3_TARGET),
        Row("Serve", f"{result['uploads']} uploads from {result['clients']} concurrent boto3 clients, all correct",
            f"{result['wall']:.2f} s", target="all correct", met=True),
        Row("Serve", "of which correct", f"{result['notifications']} ACTIVE notifications, {result['models']} Active models, "
            f"all {result['executions']} executions SUCCEEDED"),
        Row("Serve", f"peak RSS of the serve process after all of the above ({result['uploads']} concurrent uploads included)",
            "unknown (no /proc)" if result["peak_rss"] is None else f"{result['peak_rss'] / 2**20:.0f} MiB",
            target=f"<= {PEAK_RSS_TARGET_MIB} MiB", met=result["peak_rss"] is not None and result["peak_rss"] <= PEAK_RSS_TARGET_MIB * 2**20),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()
    print(render(rows(args.uploads, args.clients)))


if __name__ == "__main__":
    main()
