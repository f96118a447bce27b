"""The README's status commands run as written against the sandbox: each `python -m imports` line
in-process (only the stack's name becomes the sandbox's), and `make status` is the same command."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from collections.abc import Iterator

import pytest

from sandbox import BedrockBehaviour, Faults, Sandbox
from tests.test_readme import README, REPO, _shell_lines
from tests.workflow.flow import model_folder
from tests.workflow.status_cli import ESCROW, run

pytestmark = pytest.mark.workflow

README_STACK = "bedrock-model-import"
IMPORTS_COMMANDS = [line for line in _shell_lines() if line.startswith(".venv/bin/python -m imports ")]
MAKE_STATUS = [line for line in _shell_lines() if line.startswith("make status")]


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    root = tmp_path_factory.mktemp("models")
    behaviour = BedrockBehaviour(outcome="active", polls=2, per_model={"nova-micro-broken": BedrockBehaviour(outcome="failed")})
    with Sandbox(REPO, bedrock=behaviour, faults=Faults()) as sandbox:
        for name in ("nova-micro-support-bot", "nova-micro-broken"):
            sandbox.upload_folder(model_folder(root, name, manifest=ESCROW))
        sandbox.wait_all()
        yield sandbox


def _args(command: str, stack: str) -> list[str]:
    words = shlex.split(command)
    assert words[:3] == [".venv/bin/python", "-m", "imports"], command
    return [stack if word == README_STACK else word for word in words[3:]]


def test_the_readme_shows_the_status_commands() -> None:
    assert len(IMPORTS_COMMANDS) >= 4 and len(MAKE_STATUS) == 1
    assert {"list", "show"} == {shlex.split(c)[3] for c in IMPORTS_COMMANDS}
    assert "## What happened to my upload?" in README


@pytest.mark.parametrize("command", IMPORTS_COMMANDS)
def test_each_status_command_in_the_readme_runs_as_described(sb: Sandbox, command: str) -> None:
    code, out, err = run(*_args(command, sb.stack.name))
    assert code == 0, err
    if "--json" in command:
        document = json.loads(out)
        shown = document.get("imports") or [document["import"]]
        assert shown and all(row["executionArn"] for row in shown)
    else:
        assert "nova-micro" in out
    if "--outcome FAILED" in command:
        assert "nova-micro-broken" in out and "nova-micro-support-bot" not in out
    if command.split()[3] == "show":
        assert "nova-micro-support-bot" in out and "nova-micro-broken" not in out


def test_make_status_runs_the_list_command(sb: Sandbox) -> None:
    [line] = MAKE_STATUS
    stack = re.search(r"STACK=(\S+)", line).group(1)
    # Run as a top-level make even under `make test`: an inherited MAKELEVEL/MAKEFLAGS adds
    # "make[1]: Entering/Leaving directory" lines to the output.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    dry = subprocess.run(["make", "--no-print-directory", "-n", "status", f"STACK={stack}"], cwd=REPO,
                         capture_output=True, text=True, check=True, env=env)
    command = dry.stdout.strip().splitlines()[-1]
    assert shlex.split(command) == [".venv/bin/python", "-m", "imports", "list", "--stack", stack]
    code, out, err = run(*_args(command, sb.stack.name))
    assert code == 0, err
    assert "nova-micro-support-bot" in out and "nova-micro-broken" in out
    usage = subprocess.run(["make", "--no-print-directory", "status"], cwd=REPO, capture_output=True, text=True)
    assert usage.returncode != 0 and usage.stderr.startswith("usage: make status STACK=<stack-name>")


def test_the_readme_names_every_output_of_the_template() -> None:
    template = (REPO / "template.yaml").read_text()
    outputs = re.findall(r"^  (\w+):\n    Description:", template.split("\nOutputs:\n", 1)[1], flags=re.M)
    assert {"DashboardName", "DashboardUrl"} <= set(outputs)
    for name in outputs:
        assert f"`{name}`" in README, name
