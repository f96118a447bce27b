"""python -m imports on imports that met faults: Bedrock throttles (each state's attempts, retries
and errors, as the execution history has them) and an SNS outage (NotificationNotSent). Each has a
sandbox of its own: the mixed set in test_imports_status.py holds the process's one session for
its whole module."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox import BedrockBehaviour, Fault, Faults
from tests.workflow.flow import attempts, model_folder
from tests.workflow.status_cli import ESCROW, run

pytestmark = pytest.mark.workflow


def test_show_counts_the_retries_of_a_throttled_import(sandbox_factory, tmp_path: Path) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(outcome="active", polls=2), faults=Faults.throttle_bedrock(0.5))
    sb.upload_folder(model_folder(tmp_path, "throttled-model", manifest=ESCROW))
    [execution] = sb.wait_all()
    assert sb.faults.count() > 0
    shown = json.loads(run("show", "throttled-model", "--stack", sb.stack.name, "--json")[1])
    history = sb.history(execution.arn)
    for state in ("StartBedrockImport", "CheckImportStatus"):
        expected = attempts(history, state)
        steps = [s for s in shown["timeline"] if s["state"] == state]
        assert sum(s["attempts"] for s in steps) == len(expected)
        assert [e["error"] for s in steps for e in s["errors"]] == [a for a in expected if a is not None]
    assert sum(s["retries"] for s in shown["timeline"]) == sb.faults.count()
    text = run("show", "throttled-model", "--stack", sb.stack.name)[1]
    assert "BedrockThrottled: " in text and "retr" in text


def test_an_import_whose_notification_was_not_sent_keeps_its_outcome_and_reason(sandbox_factory, tmp_path: Path) -> None:
    sb = sandbox_factory(faults=Faults([Fault("sns", "Publish", "InternalError", status=500, message="Internal error")]))
    sb.upload_folder(model_folder(tmp_path, "Bad Name!", manifest=ESCROW))
    [execution] = sb.wait_all()
    assert execution.error == "NotificationNotSent" and sb.notifications() == []
    [row] = json.loads(run("list", "--stack", sb.stack.name, "--json")[1])["imports"]
    assert (row["outcome"], row["notified"], row["state"]) == ("REJECTED", False, "NotificationNotSent")
    assert row["reason"].startswith("s3://model-import-sandbox/incoming/Bad Name!/manifest.json (model name taken from the folder name)")
    assert row["reason"].endswith("the notification was not sent: NotificationUnavailable: sns Publish: InternalError: Internal error")
    code, out, _ = run("show", "Bad Name!", "--stack", sb.stack.name)
    assert code == 0
    assert out.splitlines()[0] == "Import of Bad Name!: REJECTED (not notified)"
    assert "  none (this execution did not notify" in out
