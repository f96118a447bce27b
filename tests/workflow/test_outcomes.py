"""One test per way an import ends, through the real path: S3 upload -> EventBridge rule ->
the template's state machine -> the real handlers -> emulated Bedrock -> SNS -> SQS.
Injected failures (throttling, outages, crashes) are in test_faults.py, duplicate deliveries in
test_duplicates.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import BedrockBehaviour
from tests.workflow.flow import BUCKET, SAMPLE_ESCROW_URI, states_entered

pytestmark = pytest.mark.workflow

HAPPY_PATH = [
    "StartImport", "ValidateArtifacts", "ClaimImportRequest", "AcquireImportSlot", "HasImportSlot", "StartBedrockImport",
    "WaitBeforeCheck", "CheckImportStatus", "IsModelReady",
    "WaitBeforeCheck", "CheckImportStatus", "IsModelReady",
    "RecordSuccess", "IsDeploymentRequested", "IsSmokeTestRequested", "PublishResult", "RouteOnOutcome", "ModelImportSucceeded",
]  # fmt: skip


def test_upload_of_sample_folder_imports_the_model_and_notifies_active(sb, sample: Path) -> None:
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [message] = sb.messages()
    [model] = sb.models()

    assert execution.status == "SUCCEEDED"
    assert states_entered(sb.history(execution.arn)) == HAPPY_PATH
    body = message.body
    assert body["outcome"] == "ACTIVE"
    assert body["modelName"] == "nova-micro-demo"
    assert body["modelStatus"] == "Active"
    assert body["reason"] is None
    assert body["sourceUri"] == SAMPLE_ESCROW_URI
    assert body["trigger"]["bucket"] == BUCKET
    assert body["trigger"]["key"] == "incoming/nova-micro-demo/manifest.json"
    assert body["trigger"]["versionId"] and body["trigger"]["sequencer"]
    assert body["executionArn"] == execution.arn
    assert body["startedAt"].endswith("Z") and body["finishedAt"].endswith("Z")
    assert body["modelArn"] == model["modelArn"]
    assert model == {"modelName": "nova-micro-demo", "modelArn": body["modelArn"], "modelStatus": "Active", "importApi": "CreateCustomModel"}
    assert message.subject == "Model import ACTIVE: nova-micro-demo"
    assert message.attributes == {"outcome": "ACTIVE", "modelName": "nova-micro-demo", "importApi": "CreateCustomModel"}


def test_created_model_carries_the_request_and_provenance_in_bedrock(sb, sample: Path) -> None:
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [model] = sb.bedrock_store().models.values()

    tags = {t["key"]: t["value"] for t in model.tags}
    assert model.source_uri == SAMPLE_ESCROW_URI
    assert model.role_arn == sb.stack.outputs["ImportRoleArn"]
    assert tags["team"] == "ml-platform" and tags["stage"] == "demo"  # from the sample's manifest.json
    assert tags["model-import:trigger"] == f"s3://{BUCKET}/incoming/nova-micro-demo/manifest.json"
    assert tags["model-import:execution"] == execution.arn.rsplit(":", 1)[-1]
    assert model.status_checks == 2


@pytest.mark.parametrize("polls", [1, 4])
def test_workflow_checks_status_until_bedrock_reports_active(sandbox_factory, sample: Path, polls: int) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(outcome="active", polls=polls))
    sb.upload_folder(sample)
    [execution] = sb.wait_all()

    entered = states_entered(sb.history(execution.arn))
    assert entered.count("CheckImportStatus") == polls
    assert entered.count("WaitBeforeCheck") == polls
    assert sb.notifications()[0]["outcome"] == "ACTIVE"


def test_model_that_bedrock_fails_ends_failed_with_its_failure_message(sandbox_factory, sample: Path) -> None:
    behaviour = BedrockBehaviour(outcome="failed", polls=3, failure_message="Unsupported checkpoint format: step_100")
    sb = sandbox_factory(bedrock=behaviour)
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    assert execution.status == "FAILED"
    assert execution.error == "ModelImportFailed"
    entered = states_entered(sb.history(execution.arn))
    assert entered.count("CheckImportStatus") == 3
    assert entered[-5:] == ["IsModelReady", "RecordModelFailure", "PublishResult", "RouteOnOutcome", "ModelImportFailed"]
    assert body["outcome"] == "FAILED"
    assert body["modelStatus"] == "Failed"
    assert body["reason"] == "Unsupported checkpoint format: step_100"
    assert [m["modelStatus"] for m in sb.models()] == ["Failed"]


def test_model_stuck_in_creating_times_out_at_the_deadline(sandbox_factory, sample: Path) -> None:
    # ImportTimeoutMinutes=5 with the default 60 s poll: five checks, then TIMED_OUT.
    sb = sandbox_factory(bedrock=BedrockBehaviour(outcome="stuck"), parameters={"ImportTimeoutMinutes": "5"})
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    assert execution.status == "FAILED"
    assert execution.error == "ModelImportTimedOut"
    entered = states_entered(sb.history(execution.arn))
    assert entered.count("CheckImportStatus") == 5
    assert "RecordTimeout" in entered
    assert body["outcome"] == "TIMED_OUT"
    assert body["modelStatus"] == "Creating"
    assert "5 minutes" in body["reason"] and "5 status checks" in body["reason"]
    assert sb.clock.waited_seconds == 300  # the Wait states asked for exactly the deadline
    assert [m["modelStatus"] for m in sb.models()] == ["Creating"]
