"""python -m imports show/list for a second import under a stable deployment name (issue 10): the
deployment is updated, not created, and the model it served before is named (and left in place).
A sandbox of its own: the module fixture of test_imports_after_active.py holds the process's one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox import BedrockBehaviour, Faults, Sandbox
from tests.workflow.flow import escrow_manifest, model_folder
from tests.workflow.status_cli import run

pytestmark = pytest.mark.workflow


def _notification(sb: Sandbox, model: str) -> dict[str, Any]:
    [body] = [b for b in sb.notifications() if b["modelName"] == model]
    return body


def _show(sb: Sandbox, model: str) -> dict[str, Any]:
    code, out, err = run("show", model, "--stack", sb.stack.name, "--json")
    assert code == 0, err
    return json.loads(out)



def test_show_of_a_second_import_under_a_stable_name_names_the_model_it_replaced(sandbox_factory, tmp_path) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(outcome="active", polls=2), faults=Faults())
    for name in ("stable-v1", "stable-v2"):
        sb.upload_folder(model_folder(tmp_path, name, manifest={**escrow_manifest(name), "deploy": {"mode": "on-demand", "name": "stable"}}))
        sb.wait_all()
    first, second = _notification(sb, "stable-v1"), _notification(sb, "stable-v2")
    shown = _show(sb, "stable-v2")
    deployment = shown["deployment"]
    assert (deployment["action"], deployment["arn"], deployment["replacedModelArn"]) == ("UpdateCustomModelDeployment", first["deployment"]["arn"], first["modelArn"])
    assert deployment["replacedModelArn"] == second["deployment"]["replacedModelArn"]
    assert [c["status"] for c in deployment["checks"]][-1] == "Active" and "Updating" in [c["status"] for c in deployment["checks"]]
    assert _show(sb, "stable-v1")["deployment"]["action"] == "CreateCustomModelDeployment"
    code, out, _ = run("show", "stable-v2", "--stack", sb.stack.name)
    lines = out.splitlines()
    assert f"  replaced:   {first['modelArn']} (the model this name served before; not deleted)" in lines
    code, out, _ = run("list", "--stack", sb.stack.name)
    assert f"    deployed: {first['deployment']['arn']} (replacing {first['modelArn']})" in out.splitlines()
