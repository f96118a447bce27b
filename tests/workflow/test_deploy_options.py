"""Deployment options refused before anything is created, through the deployed stack (its parameters
DeployAfterImport, MaxProvisionedModelUnits, SmokeTestPrompt): each ends REJECTED with its reason, no
model exists, and the notification reports no deployment and no smoke test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox import BedrockBehaviour
from tests.workflow import notification_schema
from tests.workflow.flow import ESCROW_ROOT, model_folder, states_entered

pytestmark = pytest.mark.workflow

DEMO = Path(__file__).resolve().parents[2] / "examples" / "open-weights-demo"
COST_GUARD = "raise MaxProvisionedModelUnits or ask for on-demand"


def _checked(sb) -> list[dict]:
    """Every notification, after the schema check a subscriber's queue would make."""
    bodies = []
    for message in sb.messages():
        envelope = {
            "Type": "Notification",
            "Subject": message.subject,
            "Message": json.dumps(message.body),
            "MessageAttributes": {k: {"Type": "String", "Value": v} for k, v in message.attributes.items()},
        }
        bodies.append(notification_schema.check(json.dumps(envelope)))
    return bodies


def _rejected(sb) -> dict:
    [execution] = sb.wait_all()
    [body] = _checked(sb)
    assert execution.status == "FAILED" and execution.error == "ModelImportRejected"
    entered = states_entered(sb.history(execution.arn))
    assert "StartBedrockImport" not in entered and "ClaimImportRequest" not in entered
    assert sb.models() == []
    assert body["outcome"] == "REJECTED" and (body["deployment"], body["smokeTest"]) == (None, None)
    return body


def test_a_provisioned_default_with_no_unit_limit_deploys_but_rejects_every_upload(sandbox_factory, tmp_path: Path) -> None:
    """The template's Rule refuses this combination on AWS; the sandbox's CloudFormation (moto) does not
    evaluate Rules, so this runs the validator's own check, the same defence in depth."""
    sb = sandbox_factory(parameters={"DeployAfterImport": "provisioned"}, bedrock=BedrockBehaviour(outcome="active", polls=1))
    sb.upload_folder(model_folder(tmp_path, "pt-by-default"))
    body = _rejected(sb)
    assert "the stack's DeployAfterImport (provisioned) asks for Provisioned Throughput" in body["reason"]
    assert body["reason"].endswith(COST_GUARD)


def test_a_manual_provisioned_request_is_refused_by_the_default_cost_guard(sb) -> None:
    source = f"{ESCROW_ROOT}pt-manual/step_100/"
    sb.start_execution({"sourceUri": source, "modelName": "pt-manual", "deploy": {"mode": "provisioned", "modelUnits": 1}})
    body = _rejected(sb)
    assert body["reason"] == (
        "the manual input: \"deploy\" \"mode\" 'provisioned' asks for Provisioned Throughput. Provisioned Throughput bills "
        f"hourly until it is deleted; this stack allows none (MaxProvisionedModelUnits is 0): {COST_GUARD}"
    )
    assert body["sourceUri"] == source and body["modelName"] == "pt-manual"


def test_more_units_than_the_stack_allows_are_refused(sandbox_factory, tmp_path: Path) -> None:
    sb = sandbox_factory(parameters={"MaxProvisionedModelUnits": "2"}, bedrock=BedrockBehaviour(outcome="active", polls=1))
    manifest = {"checkpoint_s3_bucket": f"{ESCROW_ROOT}pt-three/step_100/", "deploy": {"mode": "provisioned", "modelUnits": 3}}
    sb.upload_folder(model_folder(tmp_path, "pt-three", manifest=manifest))
    body = _rejected(sb)
    assert '"deploy" "modelUnits" is 3, but this stack allows at most 2 (MaxProvisionedModelUnits' in body["reason"]


def test_provisioned_throughput_for_an_open_weight_model_is_refused(sandbox_factory, tmp_path: Path) -> None:
    sb = sandbox_factory(parameters={"MaxProvisionedModelUnits": "4"}, bedrock=BedrockBehaviour(outcome="active", polls=1))
    files = {p.name: p.read_bytes() for p in DEMO.iterdir() if p.name != "manifest.json"}
    sb.upload_folder(model_folder(tmp_path, "ow-pt", manifest={"deploy": {"mode": "provisioned"}}, files=files))
    body = _rejected(sb)
    assert "an imported open-weight model (CreateModelImportJob) is invoked on demand by its own model ARN" in body["reason"]
    assert body["importApi"] is None  # rejected in ValidateArtifacts: no request was returned


def test_a_smoke_test_of_a_custom_model_without_a_deployment_is_refused(sandbox_factory, tmp_path: Path) -> None:
    # The stack's SmokeTestPrompt alone would not apply here (nothing to call); an explicit one is refused.
    sb = sandbox_factory(parameters={"SmokeTestPrompt": "Say hi."}, bedrock=BedrockBehaviour(outcome="active", polls=1))
    manifest = {"checkpoint_s3_bucket": f"{ESCROW_ROOT}smoke-alone/step_100/", "smokeTest": {"prompt": "Ping"}}
    sb.upload_folder(model_folder(tmp_path, "smoke-alone", manifest=manifest))
    body = _rejected(sb)
    assert "a sagemaker-checkpoint model is invocable only through a deployment and none is requested" in body["reason"]


def test_a_hostile_deploy_member_ends_rejected_not_in_an_error(sb) -> None:
    source = f"{ESCROW_ROOT}hostile/step_100/"
    sb.start_execution({"sourceUri": source, "modelName": "hostile", "deploy": {"mode": "provisioned", "modelUnits": True}})
    body = _rejected(sb)
    assert body["reason"] == 'the manual input: "deploy" "modelUnits" must be a whole number at least 1, got true'


def test_the_stack_default_prompt_does_not_stop_a_plain_import(sandbox_factory, tmp_path: Path) -> None:
    """SmokeTestPrompt with DeployAfterImport none: a custom model has nothing to call, so the default is
    not applied and the import ends ACTIVE as before, its model tagged with the stack."""
    sb = sandbox_factory(parameters={"SmokeTestPrompt": "Say hi."}, bedrock=BedrockBehaviour(outcome="active", polls=1))
    sb.upload_folder(model_folder(tmp_path, "plain-import"))
    [execution] = sb.wait_all()
    [body] = _checked(sb)
    assert execution.status == "SUCCEEDED" and body["outcome"] == "ACTIVE"
    assert (body["deployment"], body["smokeTest"], body["reason"]) == (None, None, None)
    [model] = sb.bedrock_store().models.values()
    assert {t["key"]: t["value"] for t in model.tags}["model-import:stack"] == "model-import-sandbox"
