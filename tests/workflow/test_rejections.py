"""Each class of bad input ends REJECTED: no model is created, the notification says what is wrong,
and the history shows the import stopped before CreateCustomModel (or at it, for a name taken)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workflow.flow import BUCKET, attempts, escrow_manifest, model_folder, states_entered

pytestmark = pytest.mark.workflow

REJECTED_EARLY = ["StartImport", "ValidateArtifacts", "RecordRejection", "PublishResult", "RouteOnOutcome", "ModelImportRejected"]


def _run(sb, folder: Path, name: str | None = None) -> tuple[dict, list[str]]:
    sb.upload_folder(folder, name)
    [execution] = sb.wait_all()
    [body] = sb.notifications()
    assert execution.status == "FAILED" and execution.error == "ModelImportRejected"
    return body, states_entered(sb.history(execution.arn))


CASES = {
    "model name with two separators in a row": ("bad--name", {}, "'bad--name' is not allowed", "Suggested: 'bad-name'"),
    "model name longer than 63 characters": ("m" * 64, {}, "is 64 characters", "Suggested:"),
    "manifest modelName with a space": ("folder", {"modelName": "my model"}, "'my model' is not allowed", "Suggested: 'my-model'"),
    "manifest that is not JSON": ("broken", b"{not json", "is not valid JSON", "line 1"),
    "manifest that is a JSON array": ("arrayed", b"[1, 2]", "holds a JSON array", "must be a JSON object"),
    "manifest larger than 1 MiB": ("huge", b" " * (1024 * 1024 + 10) + b"{}", "bytes", "1 MiB"),
    "source outside the allowed locations": (
        "elsewhere", {"checkpoint_s3_bucket": "s3://someone-elses-bucket/models/step_1/"}, "is in a bucket this stack may not read", "escrow bucket",
    ),
    "source that is an https URL": ("web", {"checkpoint_s3_bucket": "https://example.com/model/"}, "must be an s3:// URI", "https"),
    "source in another account's escrow bucket": (
        "foreign", {"checkpoint_s3_bucket": "s3://customer-escrow-999999999999-smtj-abc/job/step_1/"}, "account 999999999999", "not of this account",
    ),
    "tag with characters Bedrock refuses": ("tagged", {"tags": {"owner": "ana;drop"}}, "tag 'owner'", "may only contain"),
    "tags that are not an object": ("taglist", {"tags": ["a", "b"]}, '"tags" must be a JSON object', ""),
    "more than 50 tags with provenance": (
        "manytags", {**escrow_manifest("manytags"), "tags": {f"k{i}": "v" for i in range(48)}}, "too many tags", "50",
    ),
    # Its own folder, as open weights: here it holds model_folder's one .safetensors file and no config.json.
    "a trigger naming no source: its own folder": ("own-folder", {}, "incoming/own-folder/config.json is missing", "save_pretrained"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_request_is_rejected_before_any_model_is_created(sb, tmp_path: Path, case: str) -> None:
    name, manifest, expected, hint = CASES[case]
    body, entered = _run(sb, model_folder(tmp_path, name, manifest))

    assert entered == REJECTED_EARLY
    assert body["outcome"] == "REJECTED"
    assert body["modelArn"] is None and body["modelStatus"] is None
    assert expected in body["reason"] and hint in body["reason"]
    assert body["trigger"]["key"] == f"incoming/{name}/manifest.json"
    assert sb.models() == []
    assert sb.bedrock_store().calls == ["ListCustomModels"]  # only the sandbox's own read: Bedrock never asked


def test_a_bare_trigger_file_is_rejected_as_a_folder_without_a_model(sb) -> None:
    sb.put_object("incoming/empty-model/manifest.json", "{}")
    [execution] = sb.wait_all()
    [body] = sb.notifications()

    assert states_entered(sb.history(execution.arn)) == REJECTED_EARLY
    assert body["outcome"] == "REJECTED"
    # Its own folder is imported as open weights: it holds only the trigger file.
    assert f"s3://{BUCKET}/incoming/empty-model/config.json is missing" in body["reason"]


def test_name_already_taken_in_bedrock_is_rejected_by_create(sb, sample: Path, tmp_path: Path) -> None:
    sb.upload_folder(sample)
    sb.wait_all()
    sb.upload_folder(model_folder(tmp_path, "second-folder", {**escrow_manifest("second"), "modelName": "nova-micro-demo"}))
    first, second = sb.wait_all()
    bodies = {b["executionArn"]: b for b in sb.notifications()}

    assert bodies[first.arn]["outcome"] == "ACTIVE"
    rejected = bodies[second.arn]
    assert rejected["outcome"] == "REJECTED"
    assert "a custom model named 'nova-micro-demo' already exists" in rejected["reason"]
    assert "delete-custom-model" in rejected["reason"]
    assert attempts(sb.history(second.arn), "StartBedrockImport") == ["ImportRejected"]
    assert len(sb.models()) == 1
