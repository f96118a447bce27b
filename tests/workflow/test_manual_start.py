"""Manual starts ("Start execution" in the console) with each accepted input shape, and the
shapes the workflow refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.workflow.flow import BUCKET, SAMPLE_ESCROW_URI, ESCROW_URI, states_entered

pytestmark = pytest.mark.workflow


def _stage_checkpoint(sb, uri: str = ESCROW_URI) -> None:
    """The training job's checkpoint at the escrow URI: Bedrock fails an import whose source is empty."""
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    sb.put_escrow_object(bucket, prefix + "model.safetensors", b"weights")


def _only(sb) -> tuple:
    [execution] = sb.wait_all()
    [body] = sb.notifications()
    return execution, body


def test_manual_start_naming_the_trigger_file_imports_the_staged_folder(sb, sample: Path) -> None:
    sb.upload_folder(sample, emit=False)  # staged: no event, nothing starts
    assert sb.executions() == []
    sb.start_execution({"bucket": BUCKET, "key": "incoming/nova-micro-demo/manifest.json"})
    execution, body = _only(sb)

    assert execution.input == {"bucket": BUCKET, "key": "incoming/nova-micro-demo/manifest.json"}
    assert body["outcome"] == "ACTIVE"
    assert body["trigger"]["key"] == "incoming/nova-micro-demo/manifest.json"
    assert body["trigger"]["versionId"]  # the version read is reported even when the input had none
    assert body["sourceUri"] == SAMPLE_ESCROW_URI


def test_manual_start_naming_the_source_imports_from_the_escrow_bucket(sb) -> None:
    _stage_checkpoint(sb)
    sb.start_execution({"sourceUri": ESCROW_URI, "modelName": "nova-micro-sft-step100", "tags": {"team": "ml"}})
    execution, body = _only(sb)
    [model] = sb.bedrock_store().models.values()

    assert execution.status == "SUCCEEDED"
    assert body["outcome"] == "ACTIVE"
    assert body["trigger"] is None
    assert body["sourceUri"] == ESCROW_URI
    assert model.source_uri == ESCROW_URI
    assert {"key": "team", "value": "ml"} in model.tags


def test_manual_start_with_the_s3_event_itself_works_like_the_rule(sb, sample: Path) -> None:
    sb.upload_folder(sample, emit=False)
    event = json.loads((Path(__file__).resolve().parents[2] / "events" / "s3-object-created.json").read_text())
    version = sb._client("s3").head_object(Bucket=BUCKET, Key="incoming/nova-micro-demo/manifest.json")["VersionId"]
    event["detail"]["object"]["version-id"] = version
    sb.start_execution(event)
    _, body = _only(sb)

    assert body["outcome"] == "ACTIVE"
    assert body["trigger"]["sequencer"] == event["detail"]["object"]["sequencer"]
    assert body["trigger"]["versionId"] == version


def test_two_manual_starts_with_the_same_source_are_two_requests(sb) -> None:
    request = {"sourceUri": ESCROW_URI, "modelName": "twice"}
    _stage_checkpoint(sb)
    sb.start_execution(request)
    sb.start_execution(request)
    sb.wait_all()

    outcomes = sorted(b["outcome"] for b in sb.notifications())
    assert outcomes == ["ACTIVE", "REJECTED"]  # a deliberate second request; the name is taken
    assert len(sb.models()) == 1


@pytest.mark.parametrize(
    ("execution_input", "expected"),
    [
        ({}, "the execution input is an empty object"),
        ("just a string", "must be a JSON object"),
        ([1, 2], "must be a JSON object"),
        ({"Records": [{"s3": {}}]}, "Records format"),
        ({"bucket": BUCKET}, 'missing "key"'),
        ({"sourceUri": ESCROW_URI}, 'missing "modelName"'),
        ({"sourceUri": ESCROW_URI, "modelName": "x", "extra": 1}, 'unexpected "extra"'),
        ({"bucket": BUCKET, "key": "incoming/nothing-here/manifest.json"}, "does not exist"),
        ({"bucket": "another-bucket", "key": "incoming/a/manifest.json"}, "must be in this stack's artifact bucket"),
        ({"source": "aws.s3", "detail-type": "Object Deleted", "detail": {}}, "only \"aws.s3\" \"Object Created\" and \"aws.sagemaker\" \"SageMaker Model Package State Change\" events"),
    ],
    ids=["empty", "string", "array", "s3-records", "bucket-only", "source-only", "extra-field", "missing-trigger",
         "other-bucket", "other-event"],
)  # fmt: skip
def test_manual_start_with_an_unusable_input_is_rejected(sb, execution_input, expected: str) -> None:
    sb.start_execution(execution_input)
    execution, body = _only(sb)

    assert execution.error == "ModelImportRejected"
    assert "StartBedrockImport" not in states_entered(sb.history(execution.arn))
    assert body["outcome"] == "REJECTED"
    assert expected in body["reason"]
    assert sb.models() == []
