"""`python -m sandbox serve` in a subprocess, for test suites (ours and yours) and benchmarks.

    with ServedSandbox() as served:                 # a free port; the options as on the command line
        s3 = served.client("s3")                    # boto3, pointed at the endpoint
        subprocess.run(["aws", "s3", "ls"], env=served.environ())   # the AWS CLI, likewise
    served.returncode                               # 0: it stopped cleanly on SIGTERM
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parent.parent
_EXPORT = re.compile(r"^export ([A-Z_]+)=(.*)$")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a running process so far (from /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def peak_rss_bytes(pid: int) -> int | None:
    """The process's peak resident set size so far (VmHWM, from /proc; None elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


class ServeFailed(Exception):
    """The server exited, or printed no environment in time (its stderr is in the message)."""


class ServedSandbox:
    def __init__(self, *options: str, port: int = 0, python: str = sys.executable, timeout: float = 120.0) -> None:
        self.command = [python, "-m", "sandbox", "serve", "--port", str(port), *options]
        self.timeout = timeout
        self.env: dict[str, str] = {}  # what it printed: AWS_ENDPOINT_URL, ..., SANDBOX_BUCKET, ...
        self.startup_seconds = 0.0  # from starting the process to its environment printed
        self.startup_cpu_seconds: float | None = None  # CPU time the process had used by then (Linux)
        self.returncode: int | None = None
        self._process: subprocess.Popen[str] | None = None
        self._stderr: list[str] = []

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Self:
        started = time.perf_counter()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self._process = subprocess.Popen(
            self.command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
        )
        threading.Thread(target=self._collect_stderr, daemon=True).start()
        deadline = time.monotonic() + self.timeout
        assert self._process.stdout is not None
        for line in self._process.stdout:  # the environment, then a last comment line
            match = _EXPORT.match(line.strip())
            if match:
                self.env[match.group(1)] = "".join(shlex.split(match.group(2)))
            if line.startswith("# Ctrl-C"):
                break
            if time.monotonic() > deadline:
                break
        self.startup_seconds = time.perf_counter() - started
        self.startup_cpu_seconds = cpu_seconds(self._process.pid)
        if "AWS_ENDPOINT_URL" not in self.env:
            self.stop()
            raise ServeFailed(f"`{' '.join(self.command[1:])}` printed no environment (exit {self.returncode}): {self.stderr()[-2000:]}")
        return self

    def _collect_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line)

    def stderr(self) -> str:
        return "".join(self._stderr)

    @property
    def endpoint(self) -> str:
        return self.env["AWS_ENDPOINT_URL"]

    def peak_rss_bytes(self) -> int | None:
        """The server process's peak RSS so far (Linux), while it runs."""
        return peak_rss_bytes(self._process.pid) if self._process is not None else None

    def environ(self) -> dict[str, str]:
        """This process's environment with the server's variables (for the AWS CLI)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        return {**base, **self.env}

    def client(self, service: str, **config: Any) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.env["AWS_DEFAULT_REGION"],
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            config=Config(**config) if config else None,
        )

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, then wait for it to stop; the exit status."""
        process = self._process
        if process is None or self.returncode is not None:
            return self.returncode
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            self.returncode = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            self.returncode = process.wait()
        if process.stdout is not None:
            process.stdout.close()
        return self.returncode
