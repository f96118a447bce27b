"""A Lambda whose boto3 predates an operation the code calls (e.g. the runtime's bundled SDK without
bedrock CreateCustomModel) ends the import with outcome ERROR naming AwsSdkTooOld, the botocore
version and the fix: never a bare AttributeError, and never a model."""

from __future__ import annotations

from pathlib import Path

import boto3
import botocore
import pytest

from tests.workflow.flow import ESCROW_URI, attempts, model_folder

pytestmark = pytest.mark.workflow


def test_a_bedrock_client_without_create_custom_model_ends_in_error_naming_the_sdk(sb, monkeypatch, tmp_path: Path) -> None:
    session = boto3.Session()  # the handlers' default session, building bedrock clients as an older SDK would
    session.events.register("creating-client-class.bedrock",
                            lambda class_attributes, **_: class_attributes.pop("create_custom_model", None))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", session)

    sb.upload_folder(model_folder(tmp_path, "my-model", manifest={"checkpoint_s3_bucket": ESCROW_URI}))
    [execution] = sb.wait_all()
    [message] = sb.messages()
    body = message.body

    assert (execution.error, body["outcome"]) == ("ModelImportErrored", "ERROR")
    assert attempts(sb.history(execution.arn), "StartBedrockImport") == ["AwsSdkTooOld"]  # not retried
    assert body["reason"].startswith("AwsSdkTooOld: the bedrock client of botocore ")
    assert f"botocore {botocore.__version__}" in body["reason"] and "create_custom_model" in body["reason"]
    assert "layers/common/requirements.txt" in body["reason"]
    assert sb.models() == []
