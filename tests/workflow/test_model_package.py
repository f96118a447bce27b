"""A SageMaker model package as the source (CreateCustomModel customModelDataSource): by a trigger
file or a manual start, ACTIVE with the package named in the notification; a package Bedrock cannot
find or use ends REJECTED with the reason, and no model."""

from __future__ import annotations

import json

import pytest

from tests.workflow.flow import attempts, states_entered

pytestmark = pytest.mark.workflow


def test_a_trigger_naming_a_model_package_imports_it(sb) -> None:
    package = sb.register_model_package("nova-micro-support")
    sb.put_object("incoming/nova-micro-support-v1/manifest.json", json.dumps({"modelPackageArn": package}))
    [execution] = sb.wait_all()
    [message] = sb.messages()
    body = message.body

    assert execution.status == "SUCCEEDED", execution.cause
    assert (body["outcome"], body["modelName"], body["modelPackageArn"], body["sourceUri"]) == (
        "ACTIVE", "nova-micro-support-v1", package, None,
    )
    assert body["importApi"] == "CreateCustomModel" and message.attributes["importApi"] == "CreateCustomModel"
    [model] = sb.bedrock_store().models.values()
    assert model.source_uri == package  # what the emulator was asked to import
    assert {t["key"]: t["value"] for t in model.tags}["model-import:source-uri"] == package


def test_a_manual_start_with_a_model_package(sb) -> None:
    package = sb.register_model_package("nova-micro-support")
    sb.start_execution({"modelPackageArn": package, "modelName": "by-hand", "tags": {"team": "ml"}})
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    assert execution.status == "SUCCEEDED", execution.cause
    assert (body["outcome"], body["modelName"], body["modelPackageArn"]) == ("ACTIVE", "by-hand", package)


@pytest.mark.parametrize(
    ("restricted", "words"),
    [(None, "Bedrock cannot find the model package"), (False, "Bedrock refused the request: ")],
    ids=["missing", "not restricted"],
)
def test_a_package_bedrock_cannot_use_is_rejected_by_create_with_no_model(sb, restricted, words) -> None:
    if restricted is None:
        package = "arn:aws:sagemaker:us-east-1:123456789012:model-package/never-registered/1"
    else:
        package = sb.register_model_package("open-package", restricted=False)
    sb.start_execution({"modelPackageArn": package, "modelName": "unusable"})
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    assert execution.error == "ModelImportRejected"
    assert body["outcome"] == "REJECTED" and words in body["reason"]
    assert attempts(sb.history(execution.arn), "StartBedrockImport") == ["ImportRejected"]
    assert "WaitBeforeCheck" not in states_entered(sb.history(execution.arn))
    assert sb.models() == []
