"""The README stays true: its offline commands run, and the make targets it names exist."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def _shell_lines() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


SANDBOX_COMMANDS = [line for line in _shell_lines() if line.startswith(".venv/bin/python -m sandbox run")]
MAKE_TARGETS = sorted({word for line in _shell_lines() if line.startswith("make ") for word in line.split()[1:2]})


def test_the_readme_shows_sandbox_commands_and_make_targets() -> None:
    assert len(SANDBOX_COMMANDS) >= 4
    assert {"demo", "test", "build"} <= set(MAKE_TARGETS)


@pytest.mark.parametrize("target", MAKE_TARGETS)
def test_each_make_target_in_the_readme_exists(target: str) -> None:
    result = subprocess.run(["make", "-n", target], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_two_commands_at_the_top_are_make_demo_then_make_test() -> None:
    first_block = re.search(r"```bash\n(.*?)```", README, flags=re.S).group(1)
    assert [line.split()[:2] for line in first_block.splitlines() if line.strip()] == [["make", "demo"], ["make", "test"]]


@pytest.mark.workflow
@pytest.mark.parametrize("command", SANDBOX_COMMANDS)
def test_each_sandbox_command_in_the_readme_runs_as_described(command: str) -> None:
    args = shlex.split(command)[1:]  # drop ".venv/bin/python": run with this interpreter
    result = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=300)
    expected = 1 if "--bedrock failed" in command else 0
    assert result.returncode == expected, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.strip(), "the sandbox printed nothing"
