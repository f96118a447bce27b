"""python -m imports list/show for the phase after Active (issue 10), against the sandbox: an
on-demand deployment whose model warms up slowly (ModelNotReady retries), a Provisioned Throughput,
a failed deployment, one Bedrock refused (over the account's model-unit quota), a deployment still
Creating at the deadline and a failed smoke test; plus a FAILED and a REJECTED import, so the handlers' metric lines cover the whole dashboard. What the
command prints is held against what happened: the notifications, the histories and the emulated
Bedrock's deployments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox import BedrockBehaviour, Faults, Sandbox
from sandbox.quotas import Quotas
from tests.workflow.conftest import REPO
from tests.workflow.flow import attempts, escrow_manifest, model_folder, states_entered
from tests.workflow.status_cli import run

pytestmark = pytest.mark.workflow

SMOKE = {"prompt": "Say hello in five words", "maxTokens": 16}
WARMUP = 2  # the first invocations of the warm-up model's deployment answer ModelNotReadyException
IMPORTS = {
    # model name: (trigger members, its Bedrock behaviour)
    "od-model": ({"deploy": {"mode": "on-demand", "name": "od-endpoint"}, "smokeTest": SMOKE}, {"warmup": WARMUP}),
    "pt-model": ({"deploy": {"mode": "provisioned"}, "smokeTest": SMOKE}, {}),
    "faildeploy-model": ({"deploy": {"mode": "on-demand"}, "smokeTest": SMOKE}, {"deployment": "failed"}),
    "stuck-model": ({"deploy": {"mode": "on-demand"}}, {"deployment": "stuck"}),
    "failsmoke-model": ({"deploy": {"mode": "on-demand"}, "smokeTest": SMOKE}, {"invoke": "error"}),
    # Never ready within RunSmokeTest's retries (MaxAttempts 6: seven calls): its Catch ends the test.
    "cold-model": ({"deploy": {"mode": "on-demand"}, "smokeTest": SMOKE}, {"warmup": 100}),
    "broken-model": ({}, {"outcome": "failed"}),
    "plain-model": ({}, {}),
    # Two model units: within the stack's limit, over AWS's default quota of one (ServiceQuotaExceeded).
    "refused-model": ({"deploy": {"mode": "provisioned", "modelUnits": 2}, "smokeTest": SMOKE}, {}),
}
REJECTED = "rejected-model"  # asks for more model units than the stack allows: refused before anything is created


@pytest.fixture(scope="module")
def after(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    root = tmp_path_factory.mktemp("models")
    behaviour = BedrockBehaviour(
        outcome="active", polls=2, per_model={name: BedrockBehaviour(**{"outcome": "active", "polls": 2, **b}) for name, (_, b) in IMPORTS.items()},
    )
    parameters = {"MaxProvisionedModelUnits": "2", "ImportTimeoutMinutes": "5"}
    with Sandbox(REPO, bedrock=behaviour, faults=Faults(), parameters=parameters) as sb:
        for name, (members, _) in IMPORTS.items():
            sb.upload_folder(model_folder(root, name, manifest={**escrow_manifest(name), **members}))
        sb.upload_folder(model_folder(root, REJECTED, manifest={**escrow_manifest(REJECTED), "deploy": {"mode": "provisioned", "modelUnits": 3}}))
        executions = sb.wait_all(timeout=120)
        assert len(executions) == len(IMPORTS) + 1 and not [e for e in executions if e.status == "RUNNING"]
        yield sb


def _notification(sb: Sandbox, model: str) -> dict[str, Any]:
    [body] = [b for b in sb.notifications() if b["modelName"] == model]
    return body


def _rows(sb: Sandbox) -> dict[str, dict[str, Any]]:
    code, out, err = run("list", "--stack", sb.stack.name, "--json")
    assert code == 0, err
    return {row["modelName"]: row for row in json.loads(out)["imports"]}


def _show(sb: Sandbox, model: str) -> dict[str, Any]:
    code, out, err = run("show", model, "--stack", sb.stack.name, "--json")
    assert code == 0, err
    return json.loads(out)


def _show_text(sb: Sandbox, model: str) -> list[str]:
    code, out, err = run("show", model, "--stack", sb.stack.name)
    assert code == 0, err
    return out.splitlines()


def test_list_json_carries_each_imports_deployment_smoke_test_and_what_failed_after_active(after: Sandbox) -> None:
    rows = _rows(after)
    assert {name: (row["outcome"], row["afterImport"]) for name, row in rows.items()} == {
        "od-model": ("ACTIVE", None),
        "pt-model": ("ACTIVE", None),
        "faildeploy-model": ("ACTIVE", "DEPLOYMENT_FAILED"),
        "stuck-model": ("ACTIVE", "DEPLOYMENT_TIMED_OUT"),
        "failsmoke-model": ("ACTIVE", "SMOKE_TEST_FAILED"),
        "cold-model": ("ACTIVE", "SMOKE_TEST_FAILED"),
        "broken-model": ("FAILED", None),
        "plain-model": ("ACTIVE", None),
        "refused-model": ("ACTIVE", "DEPLOYMENT_FAILED"),
        REJECTED: ("REJECTED", None),
    }
    for name, row in rows.items():
        body = _notification(after, name)
        notified = {k: v for k, v in (row["deployment"] or {}).items() if k in ("mode", "name", "arn", "status", "replacedModelArn")}
        assert (notified or None) == body["deployment"], name
        assert (row["smokeTest"] and {k: v for k, v in row["smokeTest"].items() if k != "attempts"}) == body["smokeTest"], name
        assert row["reason"] == body["reason"], name  # an ACTIVE import's reason says what failed after Active
    by_arn = {d["arn"]: d for d in after.deployments()}
    for name in ("od-model", "pt-model", "faildeploy-model", "stuck-model", "failsmoke-model", "cold-model"):
        deployed = rows[name]["deployment"]
        assert by_arn[deployed["arn"]]["status"] == deployed["status"] and by_arn[deployed["arn"]]["modelArn"] == rows[name]["modelArn"]
        assert deployed["statusChecks"] >= 1
    assert rows["pt-model"]["deployment"]["modelUnits"] == 1 and rows["od-model"]["deployment"]["modelUnits"] is None
    assert rows["od-model"]["smokeTest"]["attempts"] == WARMUP + 1
    assert rows["faildeploy-model"]["deployment"]["failureMessage"].rstrip(".") in rows["faildeploy-model"]["reason"]
    assert rows["plain-model"]["deployment"] is None and rows["plain-model"]["smokeTest"] is None and rows["plain-model"]["reason"] is None


def test_list_table_shows_a_failure_after_active_at_a_glance(after: Sandbox) -> None:
    code, out, err = run("list", "--stack", after.stack.name)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["STARTED", "DURATION", "OUTCOME/STATE", "MODEL", "API", "DEPLOYMENT", "SMOKE", "TRIGGER"]
    rows = {name: next(line for line in lines[1:] if f"  {name}  " in line) for name in [*IMPORTS, REJECTED]}
    latency = _notification(after, "od-model")["smokeTest"]["latencyMs"]
    expected = {
        "od-model": ["ACTIVE", "od-model", "CreateCustomModel", "on-demand", "Active", "ok", f"{latency}ms"],
        "pt-model": ["ACTIVE", "pt-model", "CreateCustomModel", "provisioned", "InService", "ok"],
        "faildeploy-model": ["ACTIVE", "(deployment", "FAILED)", "faildeploy-model", "CreateCustomModel", "on-demand", "Failed", "-"],
        "stuck-model": ["ACTIVE", "(deployment", "TIMED", "OUT)", "stuck-model", "CreateCustomModel", "on-demand", "Creating", "-"],
        "failsmoke-model": ["ACTIVE", "(smoke", "test", "FAILED)", "failsmoke-model", "CreateCustomModel", "on-demand", "Active", "FAILED"],
        "cold-model": ["ACTIVE", "(smoke", "test", "FAILED)", "cold-model", "CreateCustomModel", "on-demand", "Active", "FAILED"],
        "broken-model": ["FAILED", "broken-model", "CreateCustomModel", "-", "-"],
        "plain-model": ["ACTIVE", "plain-model", "CreateCustomModel", "-", "-"],
        "refused-model": ["ACTIVE", "(deployment", "FAILED)", "refused-model", "CreateCustomModel", "provisioned", "NotCreated", "-"],
        REJECTED: ["REJECTED", REJECTED, "CreateCustomModel", "-", "-"],
    }
    for name, cells in expected.items():
        words = rows[name].split()
        assert words[3:3 + len(cells)] == cells, rows[name]  # after STARTED (two words) and DURATION
    pt = _notification(after, "pt-model")["deployment"]["arn"]
    assert f"    deployed: {pt} (Provisioned Throughput: billed hourly until deleted)" in lines
    reason = _notification(after, "failsmoke-model")["reason"]
    assert f"    reason:   {reason if len(reason) <= 160 else reason[:157] + '...'}" in lines


def test_show_json_of_an_on_demand_deployment_has_each_status_check_and_the_warm_up_retries(after: Sandbox) -> None:
    shown = _show(after, "od-model")
    body = _notification(after, "od-model")
    deployment, smoke = shown["deployment"], shown["smokeTest"]
    [emulated] = [d for d in after.deployments() if d["name"] == "od-endpoint"]
    assert {k: deployment[k] for k in ("mode", "name", "arn", "status", "replacedModelArn")} == body["deployment"]
    assert deployment["action"] == "CreateCustomModelDeployment" and deployment["arn"] == emulated["arn"]
    history = after.history(shown["import"]["executionArn"])
    states = states_entered(history)
    deploy_checks = states[states.index("StartDeployment"):].count("CheckImportStatus")
    assert [c["status"] for c in deployment["checks"]] == ["Creating"] * (deploy_checks - 1) + ["Active"]
    assert deployment["error"] is None and deployment["startedAt"] < deployment["checks"][0]["at"]
    assert smoke["attempts"] == WARMUP + 1 and smoke["notReady"] == WARMUP
    assert [e["error"] for e in smoke["errors"]] == [a for a in attempts(history, "RunSmokeTest") if a]
    assert {k: smoke[k] for k in ("ok", "latencyMs", "outputPreview", "error", "api", "modelId")} == body["smokeTest"]
    assert smoke["ok"] is True and smoke["modelId"] == emulated["arn"]


def test_show_text_of_an_on_demand_deployment(after: Sandbox) -> None:
    lines = _show_text(after, "od-model")
    body = _notification(after, "od-model")
    assert lines[0] == "Import of od-model: ACTIVE"
    section = lines[lines.index("Deployment (after Active):"):lines.index("Smoke test:")]
    assert "  mode:       on-demand od-endpoint" in section
    assert any(line.startswith("  started:    ") and line.endswith(", CreateCustomModelDeployment") for line in section)
    assert f"  arn:        {body['deployment']['arn']}" in section and "  status:     Active" in section
    assert any(line.endswith("  Active (check 2)") for line in section)  # the emulator's deployment is Active on its 2nd Get
    assert any(line.endswith("  Creating (check 1)") for line in section)
    smoke = lines[lines.index("Smoke test:"):lines.index("Timeline:")]
    assert smoke[1:4] == [
        "  result:     passed",
        f"  call:       Converse {body['deployment']['arn']}",
        f"  attempts:   {WARMUP + 1} ({WARMUP} x ModelNotReady: the model was still loading; retried with backoff)",
    ]
    assert sum(1 for line in smoke if line.startswith("      ") and "  ModelNotReady: " in line) == WARMUP
    assert f"  latency:    {body['smokeTest']['latencyMs']} ms" in smoke
    assert f"  answer:     {body['smokeTest']['outputPreview']!r}" in smoke


def test_show_of_a_provisioned_throughput_names_its_units_and_how_to_stop_its_billing(after: Sandbox) -> None:
    body = _notification(after, "pt-model")
    arn = body["deployment"]["arn"]
    shown = _show(after, "pt-model")
    assert shown["deployment"]["action"] == "CreateProvisionedModelThroughput" and shown["deployment"]["modelUnits"] == 1
    assert shown["deployment"]["checks"][-1]["status"] == "InService"
    lines = _show_text(after, "pt-model")
    assert "  mode:       provisioned pt-model, 1 model unit, no commitment" in lines
    assert f"  billing:    hourly until deleted: aws bedrock delete-provisioned-model-throughput --provisioned-model-id {arn}" in lines
    assert "  result:     passed" in lines and f"  call:       Converse {arn}" in lines


def test_show_of_a_failed_deployment_gives_bedrocks_message_and_no_smoke_test(after: Sandbox) -> None:
    body = _notification(after, "faildeploy-model")
    shown = _show(after, "faildeploy-model")
    assert shown["import"]["outcome"] == "ACTIVE" and shown["import"]["state"] == "ModelDeploymentFailed"
    assert shown["end"]["type"] == "ExecutionFailed" and shown["end"]["error"] == "ModelDeploymentFailed"
    assert shown["deployment"]["status"] == "Failed" and shown["deployment"]["checks"][-1]["status"] == "Failed"
    assert shown["deployment"]["failureMessage"] and shown["deployment"]["failureMessage"].rstrip(".") in body["reason"]
    assert shown["smokeTest"] is None and shown["notification"]["body"] == body
    lines = _show_text(after, "faildeploy-model")
    assert lines[0] == "Import of faildeploy-model: ACTIVE (deployment FAILED)"
    assert f"  reason:     {body['reason']}" in lines
    assert f"  status:     Failed: {shown['deployment']['failureMessage']}" in lines
    assert "Smoke test:" not in lines


def test_show_of_a_deployment_bedrock_refused_says_it_was_not_created_and_why(after: Sandbox) -> None:
    body = _notification(after, "refused-model")
    shown = _show(after, "refused-model")
    assert shown["import"]["state"] == "ModelDeploymentFailed" and shown["import"]["deployment"]["status"] == "NotCreated"
    deployment = shown["deployment"]
    assert (deployment["status"], deployment["arn"], deployment["action"], deployment["checks"]) == ("NotCreated", None, None, [])
    assert deployment["error"]["error"] == "DeploymentRejected" and "ServiceQuotaExceededException" in deployment["error"]["message"]
    assert shown["smokeTest"] is None and "ServiceQuotaExceededException" in body["reason"]
    lines = _show_text(after, "refused-model")
    assert "  mode:       provisioned refused-model, 2 model units, no commitment" in lines
    assert "  arn:        -" in lines and "  status:     NotCreated" in lines
    assert f"  error:      DeploymentRejected: {deployment['error']['message']}" in lines
    # Refused up front (more units than the stack allows): nothing after Active to show.
    rejected = _show(after, REJECTED)
    assert rejected["import"]["outcome"] == "REJECTED" and rejected["deployment"] is None and rejected["import"]["deployment"] is None


def test_show_of_a_deployment_still_creating_at_the_deadline_counts_every_check(after: Sandbox) -> None:
    stuck = _show(after, "stuck-model")
    body = _notification(after, "stuck-model")
    assert stuck["import"]["afterImport"] == "DEPLOYMENT_TIMED_OUT" and stuck["import"]["state"] == "ModelDeploymentTimedOut"
    assert {c["status"] for c in stuck["deployment"]["checks"]} == {"Creating"}
    assert len(stuck["deployment"]["checks"]) == stuck["import"]["deployment"]["statusChecks"] > 1
    lines = _show_text(after, "stuck-model")
    assert lines[0] == "Import of stuck-model: ACTIVE (deployment TIMED OUT)"
    n = len(stuck["deployment"]["checks"])
    assert any(f"  Creating (checks 1-{n}, until " in line for line in lines)
    assert f"  reason:     {body['reason']}" in lines


def test_show_of_a_failed_smoke_test_gives_the_call_and_its_error(after: Sandbox) -> None:
    body = _notification(after, "failsmoke-model")
    shown = _show(after, "failsmoke-model")
    assert shown["import"]["state"] == "ModelSmokeTestFailed" and shown["end"]["error"] == "ModelSmokeTestFailed"
    smoke = shown["smokeTest"]
    assert smoke["ok"] is False and smoke["attempts"] == 1 and smoke["notReady"] == 0
    assert smoke["error"] == body["smokeTest"]["error"] and smoke["error"].startswith("ModelErrorException: ")
    assert shown["deployment"]["status"] == "Active"
    lines = _show_text(after, "failsmoke-model")
    assert lines[0] == "Import of failsmoke-model: ACTIVE (smoke test FAILED)"
    assert "  result:     FAILED" in lines and f"  error:      {body['smokeTest']['error']}" in lines
    assert f"  call:       Converse {body['deployment']['arn']}" in lines


def test_show_of_a_model_that_never_became_ready_counts_each_model_not_ready(after: Sandbox) -> None:
    body = _notification(after, "cold-model")
    shown = _show(after, "cold-model")
    history = after.history(shown["import"]["executionArn"])
    smoke = shown["smokeTest"]
    assert attempts(history, "RunSmokeTest") == ["ModelNotReady"] * 7
    assert (smoke["ok"], smoke["attempts"], smoke["notReady"], smoke["latencyMs"]) == (False, 7, 7, None)
    assert smoke["error"] == body["smokeTest"]["error"] and smoke["error"].startswith("ModelNotReady: ")
    lines = _show_text(after, "cold-model")
    assert "  attempts:   7 (7 x ModelNotReady: the model was still loading; retried with backoff)" in lines
    assert f"  error:      {body['smokeTest']['error']}" in lines


def test_outcome_active_lists_the_imports_that_failed_after_active_too(after: Sandbox) -> None:
    code, out, _ = run("list", "--stack", after.stack.name, "--json", "--outcome", "ACTIVE")
    assert code == 0
    assert {row["modelName"] for row in json.loads(out)["imports"]} == {
        "od-model", "pt-model", "faildeploy-model", "stuck-model", "failsmoke-model", "plain-model", "refused-model", "cold-model",
    }


def test_the_dashboard_metrics_are_the_ones_the_functions_really_emit(after: Sandbox) -> None:
    """The handlers' EMF lines (what CloudWatch turns into metrics), held against the dashboard:
    every custom metric on it, the phase after Active included, was printed by some handler here."""
    from tests.template.dashboard import dashboard_body, dashboard_metrics, dashboard_resources
    from tests.template.loading import load_template

    emitted: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[float]] = {}
    for _, line in after.log.lines:
        if not line.startswith('{"_aws"'):
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for dimension_set in directive["Dimensions"]:
                dims = tuple((name, record[name]) for name in dimension_set)
                for metric in directive["Metrics"]:
                    values = record[metric["Name"]]
                    emitted.setdefault((directive["Namespace"], metric["Name"], dims), []).extend(values if isinstance(values, list) else [values])
    [resource] = dashboard_resources(load_template()).values()
    custom = [m for m in dashboard_metrics(dashboard_body(resource)[0]) if not m.namespace.startswith("AWS/")]
    assert custom
    for metric in custom:
        assert (metric.namespace, metric.name, tuple(metric.dimensions.items())) in emitted, metric
    # Counted once per import, as the notifications say.
    count = {m.name: sum(v) for m in custom for k, v in emitted.items() if k[1] == m.name}
    bodies = after.notifications()
    assert count["DeploymentsStarted"] == 6  # faildeploy, stuck, failsmoke, cold, od, pt: Bedrock created each (not refused-model)
    assert count["DeploymentsFailed"] == 3  # faildeploy (Failed), refused-model (NotCreated), stuck (timed out)
    assert count["DeploymentsFailed"] == sum(1 for b in bodies if b["deployment"] and b["outcome"] == "ACTIVE" and b["reason"] and b["smokeTest"] is None)
    # cold-model's smoke test never answered (its Catch): counted by PublishResult all the same.
    assert count["SmokeTestsPassed"] == 2 and count["SmokeTestsFailed"] == 2
    latencies = [v for k, v in emitted.items() if k[1] == "SmokeTestLatency"][0]
    assert sorted(latencies) == sorted(b["smokeTest"]["latencyMs"] for b in bodies if b["smokeTest"] and b["smokeTest"]["latencyMs"] is not None)
