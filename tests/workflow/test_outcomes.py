"""One test per way an import ends, through the real path: S3 upload -> EventBridge rule ->
the template's state machine -> the real handlers -> emulated Bedrock -> SNS -> SQS."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import BedrockBehaviour, Fault, Faults
from tests.workflow.flow import BUCKET, attempts, caught_error, states_entered

pytestmark = pytest.mark.workflow

HAPPY_PATH = [
    "StartImport", "ValidateArtifacts", "ClaimImportRequest", "CreateCustomModel",
    "WaitBeforeCheck", "CheckModelStatus", "IsModelReady",
    "WaitBeforeCheck", "CheckModelStatus", "IsModelReady",
    "RecordSuccess", "PublishResult", "RouteOnOutcome", "ModelImportSucceeded",
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
    assert body["sourceUri"] == f"s3://{BUCKET}/incoming/nova-micro-demo/"
    assert body["trigger"]["bucket"] == BUCKET
    assert body["trigger"]["key"] == "incoming/nova-micro-demo/manifest.json"
    assert body["trigger"]["versionId"] and body["trigger"]["sequencer"]
    assert body["executionArn"] == execution.arn
    assert body["startedAt"].endswith("Z") and body["finishedAt"].endswith("Z")
    assert body["modelArn"] == model["modelArn"]
    assert model == {"modelName": "nova-micro-demo", "modelArn": body["modelArn"], "modelStatus": "Active"}
    assert message.subject == "Model import ACTIVE: nova-micro-demo"
    assert message.attributes == {"outcome": "ACTIVE", "modelName": "nova-micro-demo"}


def test_created_model_carries_the_request_and_provenance_in_bedrock(sb, sample: Path) -> None:
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [model] = sb.bedrock_store().models.values()

    tags = {t["key"]: t["value"] for t in model.tags}
    assert model.source_uri == f"s3://{BUCKET}/incoming/nova-micro-demo/"
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
    assert entered.count("CheckModelStatus") == polls
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
    assert entered.count("CheckModelStatus") == 3
    assert entered[-5:] == ["IsModelReady", "RecordModelFailure", "PublishResult", "RouteOnOutcome", "ModelImportFailed"]
    assert body["outcome"] == "FAILED"
    assert body["modelStatus"] == "Failed"
    assert body["reason"] == "Unsupported checkpoint format: step_100"
    assert sb.models()[0]["modelStatus"] == "Failed"


def test_model_stuck_in_creating_times_out_at_the_deadline(sandbox_factory, sample: Path) -> None:
    # ImportTimeoutMinutes=5 with the default 60 s poll: five checks, then TIMED_OUT.
    sb = sandbox_factory(bedrock=BedrockBehaviour(outcome="stuck"), parameters={"ImportTimeoutMinutes": "5"})
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    assert execution.status == "FAILED"
    assert execution.error == "ModelImportTimedOut"
    entered = states_entered(sb.history(execution.arn))
    assert entered.count("CheckModelStatus") == 5
    assert "RecordTimeout" in entered
    assert body["outcome"] == "TIMED_OUT"
    assert body["modelStatus"] == "Creating"
    assert "5 minutes" in body["reason"] and "5 status checks" in body["reason"]
    assert sb.clock.waited_seconds == 300  # the Wait states asked for exactly the deadline
    assert sb.models()[0]["modelStatus"] == "Creating"


def test_access_denied_from_bedrock_ends_in_error_without_retries(sandbox_factory, sample: Path) -> None:
    denied = Fault("bedrock", "CreateCustomModel", "AccessDeniedException", status=403,
                   message="User is not authorized to perform: bedrock:CreateCustomModel")  # fmt: skip
    sb = sandbox_factory(faults=Faults([denied]))
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [body] = sb.notifications()
    history = sb.history(execution.arn)

    assert execution.status == "FAILED"
    assert execution.error == "ModelImportErrored"
    assert attempts(history, "CreateCustomModel") == ["AwsCallFailed"]
    assert caught_error(history)["Error"] == "AwsCallFailed"
    assert body["outcome"] == "ERROR"
    assert body["reason"].startswith("AwsCallFailed: ")
    assert "AccessDeniedException" in body["reason"]
    assert sb.models() == []


def test_bedrock_outage_that_outlasts_the_retries_ends_in_error(sandbox_factory, sample: Path) -> None:
    outage = Fault("bedrock", "GetCustomModel", "InternalServerException", status=500, message="Internal failure")
    sb = sandbox_factory(faults=Faults([outage]))
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    tries = attempts(sb.history(execution.arn), "CheckModelStatus")
    assert tries == ["BedrockUnavailable"] * 11  # the first call and MaxAttempts 10 retries
    assert body["outcome"] == "ERROR"
    assert body["reason"].startswith("BedrockUnavailable: ")
    assert body["modelArn"] is None or body["modelArn"].startswith("arn:aws:bedrock:")


def test_throttled_bedrock_calls_are_retried_then_the_import_goes_active(sandbox_factory, sample: Path) -> None:
    faults = Faults([
        Fault("bedrock", "CreateCustomModel", "ThrottlingException", status=429, count=3),
        Fault("bedrock", "GetCustomModel", "ThrottlingException", status=429, count=2),
    ])  # fmt: skip
    sb = sandbox_factory(faults=faults)
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    history = sb.history(execution.arn)

    assert attempts(history, "CreateCustomModel") == ["BedrockThrottled"] * 3 + [None]
    assert attempts(history, "CheckModelStatus") == ["BedrockThrottled", "BedrockThrottled", None, None]
    assert sb.notifications()[0]["outcome"] == "ACTIVE"
    assert len(sb.models()) == 1  # the retried CreateCustomModel made one model
    assert sb.clock.backoff_seconds > 0  # the retries backed off (compressed), as the ASL says


def test_a_fraction_of_throttled_calls_still_ends_active(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(faults=Faults.throttle_bedrock(0.4, seed=3))
    sb.upload_folder(sample)
    [execution] = sb.wait_all()

    assert sb.faults.count("bedrock") > 0
    history = sb.history(execution.arn)
    throttled = attempts(history, "CreateCustomModel") + attempts(history, "CheckModelStatus")
    assert throttled.count("BedrockThrottled") == sb.faults.count("bedrock")
    assert sb.notifications()[0]["outcome"] == "ACTIVE"


def test_transient_sns_failure_is_retried_and_one_notification_is_sent(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(faults=Faults([Fault("sns", "Publish", "InternalError", status=500, count=1)]))
    sb.upload_folder(sample)
    [execution] = sb.wait_all()

    assert attempts(sb.history(execution.arn), "PublishResult") == ["NotificationUnavailable", None]
    assert [b["outcome"] for b in sb.notifications()] == ["ACTIVE"]
    assert execution.status == "SUCCEEDED"


def test_handler_crash_is_caught_and_reported_as_error(sandbox_factory, sample: Path) -> None:
    sb = sandbox_factory(faults=Faults([Fault("lambda", "CheckModelStatusFunction", "RuntimeError", crash=True, count=1)]))
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    assert attempts(sb.history(execution.arn), "CheckModelStatus") == ["InjectedCrash"]
    assert body["outcome"] == "ERROR"
    assert body["reason"].startswith("InjectedCrash: ")


def test_same_upload_delivered_twice_creates_one_model_and_one_notification(sb, sample: Path) -> None:
    sb.upload_folder(sample, repeat=2)
    first, second = sb.wait_all()

    assert [b["outcome"] for b in sb.notifications()] == ["ACTIVE"]
    assert len(sb.models()) == 1
    assert first.input["detail"] == second.input["detail"]
    assert first.input["id"] != second.input["id"]
    ends = sorted(states_entered(sb.history(e.arn))[-1] for e in (first, second))
    assert ends == ["IgnoreDuplicateDelivery", "ModelImportSucceeded"]
    assert {e.status for e in (first, second)} == {"SUCCEEDED"}
