"""Set-up time of a fresh clone: `make demo` (its .venv, then the demo) and the two environments
`make test` builds (.venv and .venv-security), with uv (the Makefile's default) against plain pip
(UV=off) in the same run. Each arm clones this repository's committed HEAD into its own folder
under /tmp, so no shared .venv is touched.

Two cache states, each for both arms: "warm" uses the machine's pip and uv caches as they are (a
second clone, or CI on a machine that ran before); "cold" gives pip and uv empty caches and uv a
new bootstrap folder, as on a newcomer's first clone (pip still sees the machine's local wheel
folders, as plain pip does here). Run alone: python -m bench.setup_time [--cache warm|cold|both]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.table import Row, render

ROOT = Path(__file__).resolve().parent.parent
TARGET_DEMO_SECONDS = 15.0


def _stamp(clone: Path, venv: str, requirements: str) -> str:
    digest = hashlib.sha1((clone / requirements).read_bytes()).hexdigest()[:12]
    return f"{venv}/.installed-{digest}"


def _make(clone: Path, env: dict[str, str], *targets: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(["make", "-s", *targets], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise AssertionError(f"make {' '.join(targets)} failed: {done.stdout[-300:]} {done.stderr[-300:]}")
    return time.perf_counter() - started


def one_arm(tool: str, cold: bool) -> tuple[float, float]:
    """(seconds of `make demo` in a fresh clone, seconds to set up `make test`'s two environments)."""
    with tempfile.TemporaryDirectory(prefix=f"setup-{tool}-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "VIRTUAL_ENV")}
        env.pop("SANDBOX_CACHE_DIR", None)
        if tool == "pip":
            env["UV"] = "off"
        if cold:
            env.update(PIP_NO_CACHE_DIR="1", UV_CACHE_DIR=str(Path(tmp) / "uv-cache"), UV_DIR=str(Path(tmp) / "uv-boot" / "uv"))
        demo = _make(clone, env, "demo")
        shutil.rmtree(clone / ".venv")
        test_setup = _make(clone, env, _stamp(clone, ".venv", "requirements/dev.txt"),
                           _stamp(clone, ".venv-security", "requirements/security.txt"))
    return demo, test_setup


def rows(cache: str = "both") -> list[Row]:
    out: list[Row] = []
    for state in (("warm", "cold") if cache == "both" else (cache,)):
        cold = state == "cold"
        uv_demo, uv_test = one_arm("uv", cold)
        pip_demo, pip_test = one_arm("pip", cold)
        what = "empty pip/uv caches, uv bootstrapped" if cold else "machine's pip/uv caches"
        out.append(Row("Set-up", f"fresh clone: make demo, wall ({what})", f"{uv_demo:.1f} s",
                       f"{pip_demo:.1f} s with plain pip", f"{uv_demo / pip_demo:.2f}x",
                       f"<= {TARGET_DEMO_SECONDS:.0f} s", uv_demo <= TARGET_DEMO_SECONDS))
        out.append(Row("Set-up", f"fresh clone: make test's .venv + .venv-security ({what})", f"{uv_test:.1f} s",
                       f"{pip_test:.1f} s with plain pip", f"{uv_test / pip_test:.2f}x"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.setup_time")
    parser.add_argument("--cache", choices=("warm", "cold", "both"), default="both")
    print(render(rows(parser.parse_args().cache)))


if __name__ == "__main__":
    main()
