"""python -m imports show on an import whose Bedrock calls were throttled: each state's attempts,
retries and errors, as the execution history has them (a sandbox of its own: the mixed set in
test_imports_status.py holds the process's one session for its whole module)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox import BedrockBehaviour, Faults
from tests.workflow.flow import attempts, model_folder
from tests.workflow.test_imports_status import ESCROW, run

pytestmark = pytest.mark.workflow


def test_show_counts_the_retries_of_a_throttled_import(sandbox_factory, tmp_path: Path) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(outcome="active", polls=2), faults=Faults.throttle_bedrock(0.5))
    sb.upload_folder(model_folder(tmp_path, "throttled-model", manifest=ESCROW))
    [execution] = sb.wait_all()
    assert sb.faults.count() > 0
    shown = json.loads(run("show", "throttled-model", "--stack", sb.stack.name, "--json")[1])
    history = sb.history(execution.arn)
    for state in ("CreateCustomModel", "CheckModelStatus"):
        expected = attempts(history, state)
        steps = [s for s in shown["timeline"] if s["state"] == state]
        assert sum(s["attempts"] for s in steps) == len(expected)
        assert [e["error"] for s in steps for e in s["errors"]] == [a for a in expected if a is not None]
    assert sum(s["retries"] for s in shown["timeline"]) == sb.faults.count()
    text = run("show", "throttled-model", "--stack", sb.stack.name)[1]
    assert "BedrockThrottled: " in text and "retr" in text
