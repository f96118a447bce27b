"""Duplicates: EventBridge delivers at least once, and users upload again. The same upload
delivered twice - at once, or after the first import finished - makes one model and one
notification; a new upload of a trigger file for a name that is taken is a clear REJECTED;
PublishResult's ledger keeps every import to one message, even when that step is retried; and a
retried CreateCustomModel gets its first model back (the deterministic clientRequestToken)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox import Fault, Faults
from tests.workflow.flow import attempts, model_folder, states_entered

pytestmark = pytest.mark.workflow

TRIGGER_KEY = "incoming/nova-micro-demo/manifest.json"
IGNORED_AT_CLAIM = ["StartImport", "ValidateArtifacts", "ClaimImportRequest", "IgnoreDuplicateDelivery"]


def _trigger_event(sb, key: str = TRIGGER_KEY) -> dict[str, Any]:
    return next(e for e in sb.router.events if e["detail"]["object"]["key"] == key)


def _ends(sb, executions) -> list[str]:
    return sorted(states_entered(sb.history(e.arn))[-1] for e in executions)


def _ledger(sb, execution) -> dict[str, Any]:
    """The ledger item of the request this execution made."""
    token = execution.output["request"]["clientRequestToken"]
    table = sb.stack.outputs["ImportLedgerTableName"]
    item = sb._client("dynamodb").get_item(TableName=table, Key={"pk": {"S": token}}, ConsistentRead=True)["Item"]
    return {k: next(iter(v.values())) for k, v in item.items()}


@pytest.mark.parametrize("when", ["at once", "after the first import finished"])
def test_same_upload_delivered_twice_creates_one_model_and_one_notification(sb, sample: Path, when: str) -> None:
    if when == "at once":
        sb.upload_folder(sample, repeat=2)
    else:
        sb.upload_folder(sample)
        sb.wait_all()
        assert [b["outcome"] for b in sb.notifications()] == ["ACTIVE"]
        sb.router.redeliver(_trigger_event(sb))
    first, second = sb.wait_all()

    assert first.input["detail"] == second.input["detail"] and first.input["id"] != second.input["id"]
    assert [b["outcome"] for b in sb.notifications()] == ["ACTIVE"]
    assert [m["modelStatus"] for m in sb.models()] == ["Active"]
    assert sb.bedrock_store().created == ["nova-micro-demo"]
    assert {e.status for e in (first, second)} == {"SUCCEEDED"}
    assert _ends(sb, (first, second)) == ["IgnoreDuplicateDelivery", "ModelImportSucceeded"]
    duplicate = next(e for e in (first, second) if states_entered(sb.history(e.arn))[-1] == "IgnoreDuplicateDelivery")
    history = sb.history(duplicate.arn)
    assert states_entered(history) == IGNORED_AT_CLAIM  # stopped before Bedrock and before SNS
    [failed] = [e for e in history if e["type"] == "TaskFailed"]
    assert failed["taskFailedEventDetails"]["error"] == "DynamoDB.ConditionalCheckFailedException"


def test_redelivery_after_the_import_finished_does_not_call_bedrock_again(sb, sample: Path) -> None:
    sb.upload_folder(sample)
    sb.wait_all()
    calls = list(sb.bedrock_store().calls)
    sb.router.redeliver(_trigger_event(sb))
    sb.wait_all()

    assert sb.bedrock_store().calls == calls  # not one CreateCustomModel or GetCustomModel more
    assert len(sb.notifications()) == 1


@pytest.mark.parametrize("change", ["changed tags", "identical bytes"])
def test_trigger_uploaded_again_for_a_name_that_exists_is_rejected_as_name_taken(sb, sample: Path, change: str) -> None:
    sb.upload_folder(sample)
    [first] = sb.wait_all()
    [model_before] = sb.models()
    body = json.loads((sample / "manifest.json").read_text())
    if change == "changed tags":
        body["tags"] = {**body.get("tags", {}), "stage": "prod"}
    sb.upload_trigger(TRIGGER_KEY, json.dumps(body))  # a new object version: a new request, not a redelivery
    first, second = sb.wait_all()
    bodies = {b["executionArn"]: b for b in sb.notifications()}

    assert second.input["detail"]["object"]["version-id"] != first.input["detail"]["object"]["version-id"]
    assert [bodies[first.arn]["outcome"], bodies[second.arn]["outcome"]] == ["ACTIVE", "REJECTED"]
    assert len(bodies) == 2
    reason = bodies[second.arn]["reason"]
    assert "a custom model named 'nova-micro-demo' already exists in this account and region" in reason
    assert "'aws bedrock delete-custom-model --model-identifier nova-micro-demo'" in reason
    assert second.error == "ModelImportRejected"
    assert attempts(sb.history(second.arn), "StartBedrockImport") == ["ImportRejected"]
    assert sb.models() == [model_before]  # still the one model, untouched
    assert sb.bedrock_store().conflicts == ["nova-micro-demo"]


@pytest.mark.parametrize("when", ["at once", "after the first finished"])
def test_rejected_upload_delivered_twice_sends_one_notification(sb, tmp_path: Path, when: str) -> None:
    folder = model_folder(tmp_path, "bad--name", {})
    key = "incoming/bad--name/manifest.json"
    if when == "at once":
        sb.upload_folder(folder, repeat=2)
    else:
        sb.upload_folder(folder)
        sb.wait_all()
        sb.router.redeliver(_trigger_event(sb, key))
    first, second = sb.wait_all()
    [body] = sb.notifications()

    assert body["outcome"] == "REJECTED" and "'bad--name' is not allowed" in body["reason"]
    # Rejected before ClaimImportRequest: both reach PublishResult, whose ledger lets one through.
    ends = {e.arn: states_entered(sb.history(e.arn)) for e in (first, second)}
    assert all(entered[:3] == ["StartImport", "ValidateArtifacts", "RecordRejection"] for entered in ends.values())
    assert sorted(entered[-1] for entered in ends.values()) == ["IgnoreDuplicateDelivery", "ModelImportRejected"]
    notifier = next(arn for arn, entered in ends.items() if entered[-1] == "ModelImportRejected")
    assert body["executionArn"] == notifier
    assert sb.models() == []


def test_publish_result_retried_after_its_message_went_out_does_not_publish_again(sandbox_factory, sample: Path) -> None:
    # PublishResult runs to the end (message sent, ledger marked), then the invoke fails anyway,
    # as when Lambda answers ServiceException: Step Functions runs the step again.
    lost = Fault("lambda", "PublishResultFunction", "Lambda.ServiceException", message="Service error",
                 crash=True, after_handler=True, count=1)  # fmt: skip
    sb = sandbox_factory(faults=Faults([lost]))
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [message] = sb.messages()

    assert attempts(sb.history(execution.arn), "PublishResult") == ["Lambda.ServiceException", None]
    assert execution.status == "SUCCEEDED"
    assert states_entered(sb.history(execution.arn))[-1] == "ModelImportSucceeded"
    assert message.body["outcome"] == "ACTIVE"
    assert execution.output["notification"] == {"outcome": "ACTIVE", "published": True, "duplicateOf": None}
    ledger = _ledger(sb, execution)
    assert ledger["notifiedBy"] == execution.arn
    assert ledger["messageId"] == message.message_id


def test_create_retried_after_bedrock_made_the_model_gets_the_same_model_back(sandbox_factory, sample: Path) -> None:
    # CreateCustomModel ran (the model exists), then its invoke failed: the retry sends the same
    # deterministic clientRequestToken, and Bedrock answers with the first model instead of a second.
    lost = Fault("lambda", "CreateCustomModelFunction", "Lambda.ServiceException", message="Service error",
                 crash=True, after_handler=True, count=1)  # fmt: skip
    sb = sandbox_factory(faults=Faults([lost]))
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    [body] = sb.notifications()
    store = sb.bedrock_store()

    assert attempts(sb.history(execution.arn), "StartBedrockImport") == ["Lambda.ServiceException", None]
    assert (execution.status, body["outcome"]) == ("SUCCEEDED", "ACTIVE")
    assert store.created == ["nova-micro-demo"] and store.replays == ["nova-micro-demo"] and store.conflicts == []
    assert [m["modelArn"] for m in sb.models()] == [body["modelArn"]]


def test_a_claim_whose_write_succeeded_but_whose_response_was_lost_is_retried_and_imports(sandbox_factory, sample: Path) -> None:
    """ClaimImportRequest's put reaches DynamoDB, then its answer is lost (a 5xx): the retry finds
    this execution's own claim and goes on. Before, the condition refused it and the upload ended
    as a silent IgnoreDuplicateDelivery: no model, no notification."""
    faults = Faults([Fault("dynamodb", "PutItem", "InternalServerError", status=500, message="lost", count=1, after_call=True)])
    sb = sandbox_factory(faults=faults)
    sb.upload_folder(sample)
    [execution] = sb.wait_all()
    history = sb.history(execution.arn)

    assert faults.count("dynamodb", "PutItem") == 1
    assert len(attempts(history, "ClaimImportRequest")) == 2  # the lost answer, then the retry
    assert attempts(history, "ClaimImportRequest")[-1] is None
    assert execution.status == "SUCCEEDED" and states_entered(history)[-1] == "ModelImportSucceeded"
    [body] = sb.notifications()
    assert body["outcome"] == "ACTIVE"
    assert len(sb.models()) == 1
    assert _ledger(sb, execution)["claimedBy"] == execution.arn


def test_another_executions_claim_still_stops_a_duplicate(sb, sample: Path) -> None:
    """The retry-safe condition accepts only this execution's own claim, never another's."""
    sb.upload_folder(sample, repeat=2)
    first, second = sb.wait_all()
    ends = _ends(sb, [first, second])

    assert ends == ["IgnoreDuplicateDelivery", "ModelImportSucceeded"]
    assert len(sb.notifications()) == 1 and len(sb.models()) == 1
