"""Deployment after import, through the whole workflow on the sandbox (issue 10): every mode, the
stable name, a failed deployment, a failed smoke test, a slow warm-up, the cost guard and a
deployment name another stack owns. Each test asserts what a user sees: the notification (checked
against the README's schema), the execution's states, and the deployment in the emulated Bedrock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox import BedrockBehaviour, Faults
from sandbox.quotas import Quotas
from tests.workflow import notification_schema
from tests.workflow.flow import attempts, escrow_manifest, model_folder, states_entered

pytestmark = pytest.mark.workflow

OPEN_WEIGHTS_DEMO = Path(__file__).resolve().parents[2] / "examples" / "open-weights-demo"
SMOKE = {"prompt": "Say hello in five words", "maxTokens": 16}
DEPLOY_STATES = ["StartDeployment", "WaitBeforeCheck", "CheckImportStatus", "IsModelReady"]


def _make(sandbox_factory, parameters: dict[str, str] | None = None, **behaviour: Any):
    return sandbox_factory(bedrock=BedrockBehaviour(outcome="active", polls=2, **behaviour), faults=Faults(), parameters=parameters or {})


def _import(sb, tmp_path: Path, name: str, **members: Any):
    """Upload a checkpoint folder whose trigger file also carries `members` (deploy, smokeTest)."""
    sb.upload_folder(model_folder(tmp_path, name, manifest={**escrow_manifest(name), **members}))
    executions = sb.wait_all()
    return next(e for e in executions if e.input and name in json.dumps(e.input))


def _notification(sb, name: str) -> tuple[dict[str, Any], Any]:
    """The body of the one notification about `name`, checked against the schema, and the message."""
    [message] = [m for m in sb.messages() if m.body["modelName"] == name]
    envelope = {
        "Type": "Notification",
        "Subject": message.subject,
        "Message": json.dumps(message.body),
        "MessageAttributes": {k: {"Type": "String", "Value": v} for k, v in message.attributes.items()},
    }
    return notification_schema.check(json.dumps(envelope)), message


def _deployments(sb, mode: str) -> list[dict[str, Any]]:
    return [d for d in sb.deployments() if d["mode"] == mode]


def test_on_demand_deployment_then_a_smoke_test_against_it(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory)
    execution = _import(sb, tmp_path, "nova-od", deploy={"mode": "on-demand", "name": "nova-endpoint"}, smokeTest=SMOKE)

    assert execution.status == "SUCCEEDED"
    states = states_entered(sb.history(execution.arn))
    assert states[states.index("RecordSuccess"):] == [
        "RecordSuccess", "IsDeploymentRequested", *DEPLOY_STATES, "WaitBeforeCheck", "CheckImportStatus", "IsModelReady",
        "IsSmokeTestRequested", "RunSmokeTest", "DidSmokeTestPass", "PublishResult", "RouteOnOutcome", "ModelImportSucceeded",
    ]  # fmt: skip
    body, message = _notification(sb, "nova-od")
    [deployment] = _deployments(sb, "on-demand")
    assert deployment["status"] == "Active" and deployment["modelArn"] == body["modelArn"] and deployment["name"] == "nova-endpoint"
    assert body["outcome"] == "ACTIVE" and body["reason"] is None
    assert body["deployment"] == {"mode": "on-demand", "name": "nova-endpoint", "arn": deployment["arn"], "status": "Active", "replacedModelArn": None}
    smoke = body["smokeTest"]
    assert smoke["ok"] is True and smoke["error"] is None and smoke["api"] == "Converse" and smoke["modelId"] == deployment["arn"]
    assert 0 < len(smoke["outputPreview"].split()) <= 16
    assert message.attributes["deploymentStatus"] == "Active"
    assert "(deployed on demand)" in message.subject
    assert sb.runtime_store().answered == [("Converse", deployment["arn"])]


def test_provisioned_throughput_within_the_stacks_limit(sandbox_factory, tmp_path):
    # Two model units without commitment need a quota increase from AWS Support (the default is one).
    sb = _make(sandbox_factory, {"MaxProvisionedModelUnits": "2"}, quotas=Quotas(model_units=2))
    execution = _import(sb, tmp_path, "nova-pt", deploy={"mode": "provisioned", "modelUnits": 2}, smokeTest=SMOKE)

    assert execution.status == "SUCCEEDED"
    body, message = _notification(sb, "nova-pt")
    [throughput] = _deployments(sb, "provisioned")
    assert (throughput["status"], throughput["modelUnits"], throughput["modelArn"]) == ("InService", 2, body["modelArn"])
    assert throughput["name"] == "nova-pt"  # deploy.name defaults to the model name
    assert body["deployment"] == {"mode": "provisioned", "name": "nova-pt", "arn": throughput["arn"], "status": "InService", "replacedModelArn": None}
    assert body["smokeTest"]["ok"] is True and body["smokeTest"]["modelId"] == throughput["arn"]
    assert "(Provisioned Throughput: billed hourly until deleted)" in message.subject
    assert message.attributes["deploymentStatus"] == "InService"
    # No commitment was bought: it can be deleted at any time.
    [stored] = sb.throughput_store().throughputs.values()
    assert stored.commitment is None


def test_more_model_units_than_the_accounts_default_quota_is_a_failed_deployment_of_an_active_model(sandbox_factory, tmp_path):
    # AWS's default for a custom model without commitment: one model unit per Provisioned Throughput.
    sb = _make(sandbox_factory, {"MaxProvisionedModelUnits": "2"})
    execution = _import(sb, tmp_path, "nova-pt2", deploy={"mode": "provisioned", "modelUnits": 2})

    assert execution.status == "FAILED"
    assert states_entered(sb.history(execution.arn))[-1] == "ModelDeploymentFailed"
    body, message = _notification(sb, "nova-pt2")
    assert body["outcome"] == "ACTIVE" and body["modelStatus"] == "Active"
    assert "ServiceQuotaExceededException" in body["reason"] and "1 model unit" in body["reason"]
    assert body["deployment"]["status"] == "NotCreated" and body["deployment"]["arn"] is None
    assert sb.provisioned_throughputs() == []


def test_open_weights_are_smoke_tested_by_the_imported_models_arn_without_a_deployment(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory, {"DeployAfterImport": "on-demand"})  # the stack default means no deployment here
    files = {p.name: p.read_bytes() for p in OPEN_WEIGHTS_DEMO.iterdir() if p.name != "manifest.json"}
    sb.upload_folder(model_folder(tmp_path, "ow-smoke", manifest={"smokeTest": SMOKE}, files=files))
    [execution] = sb.wait_all()

    assert execution.status == "SUCCEEDED"
    states = states_entered(sb.history(execution.arn))
    assert "StartDeployment" not in states and "RunSmokeTest" in states
    body, message = _notification(sb, "ow-smoke")
    assert body["deployment"] is None and "deploymentStatus" not in message.attributes
    assert body["smokeTest"]["ok"] is True and body["smokeTest"]["modelId"] == body["modelArn"]
    assert ":imported-model/" in body["modelArn"] and sb.deployments() == []


def test_a_second_import_with_the_same_name_replaces_the_model_behind_the_same_arn(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory)
    first = _import(sb, tmp_path, "nova-v1", deploy={"mode": "on-demand", "name": "stable-endpoint"})
    first_body, _ = _notification(sb, "nova-v1")
    second = _import(sb, tmp_path, "nova-v2", deploy={"mode": "on-demand", "name": "stable-endpoint"}, smokeTest=SMOKE)

    assert first.status == second.status == "SUCCEEDED"
    body, message = _notification(sb, "nova-v2")
    [deployment] = _deployments(sb, "on-demand")  # one deployment, repointed
    assert body["deployment"]["arn"] == first_body["deployment"]["arn"] == deployment["arn"]
    assert body["deployment"]["replacedModelArn"] == first_body["modelArn"]
    assert body["deployment"]["status"] == "Active" and deployment["modelArn"] == body["modelArn"]
    assert body["smokeTest"]["ok"] is True and body["smokeTest"]["modelId"] == deployment["arn"]
    # The previous model is never deleted.
    assert {m["modelArn"] for m in sb.models()} == {first_body["modelArn"], body["modelArn"]}
    assert "StartDeployment" in states_entered(sb.history(second.arn))


def test_a_failed_deployment_keeps_outcome_active_and_ends_red(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory, deployment="failed")
    execution = _import(sb, tmp_path, "nova-fail", deploy={"mode": "on-demand"}, smokeTest=SMOKE)

    assert execution.status == "FAILED"
    states = states_entered(sb.history(execution.arn))
    assert states[-3:] == ["PublishResult", "RouteOnOutcome", "ModelDeploymentFailed"]
    assert "RecordDeploymentFailure" in states and "RunSmokeTest" not in states
    body, message = _notification(sb, "nova-fail")
    assert body["outcome"] == "ACTIVE" and body["modelStatus"] == "Active"
    assert body["deployment"]["status"] == "Failed" and body["deployment"]["arn"]
    assert "deployment failed" in body["reason"] and "not supported for on-demand deployment" in body["reason"]
    assert body["smokeTest"] is None and "(deployment FAILED)" in message.subject
    assert message.attributes["deploymentStatus"] == "Failed"


def test_a_deployment_still_creating_at_the_deadline_times_out_red(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory, {"ImportTimeoutMinutes": "5"}, deployment="stuck")
    execution = _import(sb, tmp_path, "nova-stuck", deploy={"mode": "on-demand"})

    assert execution.status == "FAILED"
    states = states_entered(sb.history(execution.arn))
    assert states[-3:] == ["PublishResult", "RouteOnOutcome", "ModelDeploymentTimedOut"] and "RecordDeploymentTimeout" in states
    body, message = _notification(sb, "nova-stuck")
    assert body["outcome"] == "ACTIVE" and body["deployment"]["status"] == "Creating"
    assert "get-custom-model-deployment" in body["reason"] and "(deployment TIMED OUT)" in message.subject


def test_a_failed_smoke_test_keeps_the_deployment_and_ends_red(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory, invoke="error")
    execution = _import(sb, tmp_path, "nova-smoke", deploy={"mode": "on-demand"}, smokeTest=SMOKE)

    assert execution.status == "FAILED"
    states = states_entered(sb.history(execution.arn))
    assert states[-5:] == ["DidSmokeTestPass", "RecordSmokeTestFailure", "PublishResult", "RouteOnOutcome", "ModelSmokeTestFailed"]
    body, message = _notification(sb, "nova-smoke")
    assert body["outcome"] == "ACTIVE" and body["deployment"]["status"] == "Active"
    smoke = body["smokeTest"]
    assert smoke["ok"] is False and smoke["error"].startswith("ModelErrorException: ") and smoke["outputPreview"] is None
    assert body["deployment"]["arn"] in body["reason"] and "smoke test failed" in body["reason"]
    assert message.subject.endswith("smoke test FAILED)")
    assert _deployments(sb, "on-demand")[0]["status"] == "Active"  # the deployment is left as it is


def test_a_slow_warm_up_is_retried_until_the_model_answers(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory, warmup=3)
    execution = _import(sb, tmp_path, "nova-warm", deploy={"mode": "on-demand"}, smokeTest=SMOKE)

    assert execution.status == "SUCCEEDED"
    assert attempts(sb.history(execution.arn), "RunSmokeTest") == ["ModelNotReady"] * 3 + [None]
    body, _ = _notification(sb, "nova-warm")
    assert body["smokeTest"]["ok"] is True
    assert execution.output["smokeTest"]["attempts"] == 4


def test_provisioned_is_refused_when_the_stack_allows_no_model_units(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory)  # MaxProvisionedModelUnits defaults to 0
    execution = _import(sb, tmp_path, "nova-costly", deploy={"mode": "provisioned"})

    assert execution.status == "FAILED"
    assert states_entered(sb.history(execution.arn))[-1] == "ModelImportRejected"
    body, _ = _notification(sb, "nova-costly")
    assert body["outcome"] == "REJECTED" and "MaxProvisionedModelUnits" in body["reason"] and "bills hourly" in body["reason"]
    assert sb.models() == [] and sb.deployments() == []  # nothing created, nothing billed


def test_a_deployment_name_owned_by_another_stack_is_never_repointed(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory)
    _import(sb, tmp_path, "nova-mine", deploy={"mode": "on-demand", "name": "shared-endpoint"})
    first, _ = _notification(sb, "nova-mine")
    # Another stack's deployment of that name: its provenance tag says so.
    sb._client("bedrock").tag_resource(resourceARN=first["deployment"]["arn"], tags=[{"key": "model-import:stack", "value": "other-stack"}])
    execution = _import(sb, tmp_path, "nova-theirs", deploy={"mode": "on-demand", "name": "shared-endpoint"})

    assert execution.status == "FAILED"
    assert states_entered(sb.history(execution.arn))[-1] == "ModelDeploymentFailed"
    body, _ = _notification(sb, "nova-theirs")
    assert body["outcome"] == "ACTIVE" and "not created by this stack" in body["reason"]
    assert body["deployment"] == {"mode": "on-demand", "name": "shared-endpoint", "arn": None, "status": "NotCreated", "replacedModelArn": None}
    [deployment] = _deployments(sb, "on-demand")
    assert deployment["modelArn"] == first["modelArn"]  # still serving the first model
