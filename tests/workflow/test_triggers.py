"""What starts the workflow and what does not, end to end: keys with awkward characters, artifacts
without a trigger, triggers in the wrong place, events for other buckets (the pattern alone is
tested in test_rule_pattern.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote_plus

import pytest

from sandbox import BedrockBehaviour
from tests.workflow.flow import BUCKET, ESCROW_URI, model_folder, s3_event, states_entered

pytestmark = pytest.mark.workflow


def _version(sb, key: str) -> str:
    import boto3

    return boto3.client("s3", region_name="us-east-1").head_object(Bucket=BUCKET, Key=key)["VersionId"]


def test_event_naming_a_version_that_does_not_exist_is_rejected(sb, sample: Path) -> None:
    sb.upload_folder(sample, emit=False)
    event = s3_event("incoming/nova-micro-demo/manifest.json")
    event["detail"]["object"]["version-id"] = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"  # no such version
    sb.put_event(event)
    sb.wait_all()
    [body] = sb.notifications()

    assert body["outcome"] == "REJECTED"
    assert "does not exist" in body["reason"]


@pytest.mark.parametrize("encoding", ["raw", "url"])
def test_folder_with_spaces_plus_equals_and_accents_imports_under_its_manifest_name(sandbox_factory, tmp_path: Path, encoding: str) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(polls=1), key_encoding=encoding)
    manifest = {"modelName": "nova-micro-v2", "checkpoint_s3_bucket": ESCROW_URI}
    folder = model_folder(tmp_path, "nova micro+v2=ok ü", manifest)
    sb.upload_folder(folder)
    sb.wait_all()
    [body] = sb.notifications()

    sent_key = sb.router.events[-1]["detail"]["object"]["key"]
    expected = "incoming/nova micro+v2=ok ü/manifest.json"
    assert sent_key == (quote_plus(expected, safe="/") if encoding == "url" else expected)
    assert body["outcome"] == "ACTIVE"
    assert body["modelName"] == "nova-micro-v2"
    assert body["trigger"]["key"] == expected  # the key as stored in S3, decoded when it came encoded
    assert body["sourceUri"] == ESCROW_URI


def test_folder_whose_path_bedrock_cannot_take_as_source_is_rejected(sb, tmp_path: Path) -> None:
    sb.upload_folder(model_folder(tmp_path, "nova micro+v2=ok", {"modelName": "nova-micro-v2"}))
    sb.wait_all()
    [body] = sb.notifications()

    assert body["outcome"] == "REJECTED"
    assert "does not meet Bedrock's S3 URI rule" in body["reason"]


def test_folder_name_that_is_not_a_model_name_is_rejected_with_a_suggestion(sb, tmp_path: Path) -> None:
    sb.upload_folder(model_folder(tmp_path, "my model v2", {}))
    sb.wait_all()
    [body] = sb.notifications()

    assert body["outcome"] == "REJECTED"
    assert "Suggested: 'my-model-v2'" in body["reason"]


def test_artifacts_uploaded_without_a_trigger_start_nothing(sb, tmp_path: Path) -> None:
    files = {"checkpoint/config.json": b"{}", "checkpoint/model.safetensors": b"weights"}
    sb.upload_folder(model_folder(tmp_path, "no-trigger", manifest=None, files=files), trigger=False)

    assert sb.executions() == []
    assert sb.notifications() == []
    assert len(sb.router.events) == 2  # S3 did send its events; the rule matched none
    assert all(d.rule is None for d in sb.router.deliveries)


@pytest.mark.parametrize(
    "key",
    ["incoming/manifest.json", "manifest.json", "incoming/model/Manifest.json", "models/nova/manifest.json"],
)
def test_trigger_outside_the_incoming_layout_starts_nothing(sb, sample: Path, key: str) -> None:
    sb.upload_folder(sample, trigger=False)
    sb.put_object(key, "{}")

    assert sb.executions() == []
    assert sb.notifications() == []


def test_trigger_two_folders_deep_is_rejected_with_the_expected_layout(sb) -> None:
    sb.put_object("incoming/team/model/checkpoint.bin", b"weights")
    sb.put_object("incoming/team/model/manifest.json", "{}")
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    assert states_entered(sb.history(execution.arn))[:3] == ["StartImport", "ValidateArtifacts", "RecordRejection"]
    assert body["outcome"] == "REJECTED"
    assert "exactly one folder below 'incoming/'" in body["reason"]


def test_event_for_another_bucket_starts_nothing(sb, sample: Path) -> None:
    sb.upload_folder(sample, emit=False)
    deliveries = sb.put_event(s3_event("incoming/nova-micro-demo/manifest.json", bucket="someone-elses-bucket"))

    assert [d.rule for d in deliveries] == [None]
    assert sb.executions() == []


def test_event_put_on_the_bus_as_it_is_starts_the_workflow(sb, sample: Path) -> None:
    sb.upload_folder(sample, emit=False)
    event = s3_event("incoming/nova-micro-demo/manifest.json")
    event["detail"]["object"]["version-id"] = _version(sb, "incoming/nova-micro-demo/manifest.json")
    [delivery] = sb.put_event(event)
    [execution] = sb.wait_all()

    assert delivery.execution_arn == execution.arn
    assert execution.input == event  # EventBridge passes the event, unchanged, as the input
    assert sb.notifications()[0]["outcome"] == "ACTIVE"


def test_disabled_rule_delivers_nothing(sb, sample: Path) -> None:
    import boto3

    events = boto3.client("events", region_name="us-east-1")
    [rule] = events.list_rules()["Rules"]
    events.disable_rule(Name=rule["Name"])
    sb.upload_folder(sample)

    assert sb.executions() == []
