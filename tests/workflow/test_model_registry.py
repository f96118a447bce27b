"""SageMaker Model Registry approvals start the import (issue 9): the second rule, for the groups in
ModelPackageGroupNames only; the package imported with customModelDataSource; the same package
approved twice is one model and one notification."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.workflow.flow import states_entered

pytestmark = pytest.mark.workflow

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "events" / "sagemaker-model-package-approved.json").read_text())
GROUP = SAMPLE["detail"]["ModelPackageGroupName"]


def _approval(**detail) -> dict:
    event = copy.deepcopy(SAMPLE)
    event["detail"].update(detail)
    return event


@pytest.fixture
def registry_sb(sandbox_factory):
    return sandbox_factory(parameters={"ModelPackageGroupNames": f"{GROUP},other-group"})


def test_an_approval_imports_the_package_as_group_and_version(registry_sb) -> None:
    sb = registry_sb
    [delivery] = sb.put_event(SAMPLE)
    [execution] = sb.wait_all()

    assert delivery.rule is not None and execution.status == "SUCCEEDED"
    assert states_entered(sb.history(execution.arn))[-1] == "ModelImportSucceeded"
    [body] = sb.notifications()
    package = SAMPLE["detail"]["ModelPackageArn"]
    assert (body["outcome"], body["modelName"], body["modelPackageArn"], body["importApi"]) == (
        "ACTIVE", "nova-sft-approved-v1", package, "CreateCustomModel"
    )
    assert (body["sourceUri"], body["trigger"], body["jobArn"]) == (None, None, None)
    [model] = sb.bedrock_store().models.values()
    assert model.name == "nova-sft-approved-v1" and model.role_arn is None  # customModelDataSource: no role
    # The sandbox played the registry: the package exists, approved, under the ARN the event names.
    described = sb._client("sagemaker").describe_model_package(ModelPackageName=package)
    assert described["ModelApprovalStatus"] == "Approved"


def test_the_same_package_approved_twice_is_one_model_and_one_notification(registry_sb) -> None:
    sb = registry_sb
    sb.put_event(SAMPLE)
    sb.wait_all()
    again = _approval(LastModifiedTime=1795999999000)  # approved again later (a new event, the same package)
    again["id"] = "b4f8c2d3-6e5a-4f7b-8c9d-1e2f3a4b5c6d"
    sb.put_event(again)
    first, second = sb.wait_all()

    assert [b["outcome"] for b in sb.notifications()] == ["ACTIVE"]
    assert sb.bedrock_store().created == ["nova-sft-approved-v1"]
    assert states_entered(sb.history(second.arn))[-1] == "IgnoreDuplicateDelivery"


@pytest.mark.parametrize(
    "event",
    [
        _approval(ModelApprovalStatus="Rejected"),
        _approval(ModelApprovalStatus="PendingManualApproval"),
        _approval(ModelPackageGroupName="not-listed", ModelPackageArn=SAMPLE["detail"]["ModelPackageArn"].replace(GROUP, "not-listed")),
    ],
    ids=["rejected", "pending", "group not listed"],
)
def test_other_registry_events_start_nothing(registry_sb, event) -> None:
    sb = registry_sb
    [delivery] = sb.put_event(event)

    assert delivery.rule is None and delivery.execution_arn is None
    assert sb.executions() == [] and sb.models() == []


def test_without_model_package_groups_there_is_no_registry_rule(sb) -> None:
    [delivery] = sb.put_event(SAMPLE)

    assert delivery.rule is None
    assert sb.executions() == []
    assert "ModelPackageApprovedRule" not in sb.stack.physical_ids


def test_a_manual_start_with_an_approval_of_an_unlisted_group_is_rejected(sb) -> None:
    sb.start_execution(SAMPLE)
    [execution] = sb.wait_all()

    [body] = sb.notifications()
    assert body["outcome"] == "REJECTED"
    assert f"the model package group '{GROUP}' is not one of the stack's ModelPackageGroupNames (none)" in body["reason"]
    assert (body["modelName"], body["modelPackageArn"]) == ("nova-sft-approved-v1", SAMPLE["detail"]["ModelPackageArn"])
    assert states_entered(sb.history(execution.arn))[-1] == "ModelImportRejected"
