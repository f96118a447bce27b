"""Open-weight models (a Hugging Face folder in the stack's bucket) through the whole workflow:
the same upload, validation, loop, duplicates handling and notification as a SageMaker checkpoint,
with Bedrock's CreateModelImportJob and GetModelImportJob (issue 9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox import BedrockBehaviour, Fault, Faults
from tests.workflow.flow import attempts, model_folder, states_entered

pytestmark = pytest.mark.workflow

DEMO = Path(__file__).resolve().parents[2] / "examples" / "open-weights-demo"
LOOP = ["WaitBeforeCheck", "CheckImportStatus", "IsModelReady"]


def _folder(tmp_path: Path, name: str, change: dict[str, bytes | None] | None = None, manifest: object = None) -> Path:
    """The demo folder's files under another name, with some files replaced (bytes) or left out (None)."""
    files = {p.name: p.read_bytes() for p in DEMO.iterdir() if p.name != "manifest.json"}
    for file, data in (change or {}).items():
        if data is None:
            files.pop(file, None)
        else:
            files[file] = data
    return model_folder(tmp_path, name, manifest=manifest, files=files)


def test_the_demo_folder_is_imported_with_create_model_import_job(sb) -> None:
    sb.upload_folder(DEMO)
    [execution] = sb.wait_all()

    assert execution.status == "SUCCEEDED"
    history = sb.history(execution.arn)
    assert states_entered(history) == [
        "StartImport", "ValidateArtifacts", "ClaimImportRequest", "AcquireImportSlot", "HasImportSlot", "StartBedrockImport",
        *LOOP, *LOOP,
        "RecordSuccess", "IsDeploymentRequested", "IsSmokeTestRequested", "PublishResult", "RouteOnOutcome", "ModelImportSucceeded",
    ]  # fmt: skip
    [message] = sb.messages()
    body = message.body
    store = sb.import_store()
    [job] = store.jobs.values()
    [model] = store.models.values()
    assert (body["outcome"], body["modelStatus"], body["importApi"]) == ("ACTIVE", "Active", "CreateModelImportJob")
    assert (body["modelArn"], body["jobArn"]) == (model.arn, job.arn)
    assert ":imported-model/" in body["modelArn"] and ":model-import-job/" in body["jobArn"]
    assert body["sourceUri"] == f"s3://{sb.bucket}/incoming/open-weights-demo/"
    assert message.attributes == {"outcome": "ACTIVE", "modelName": "open-weights-demo", "importApi": "CreateModelImportJob"}
    # What Bedrock was asked: the folder, the stack's import role, the model name, a derived job name,
    # the request's token, and the provenance tags on the job and the model.
    request = execution.output["request"]
    assert (job.model_name, job.source_uri, job.token) == ("open-weights-demo", body["sourceUri"], request["clientRequestToken"])
    assert job.name == "open-weights-demo-" + request["clientRequestToken"][:12]
    assert job.role_arn == sb.stack.outputs["ImportRoleArn"]
    assert {t["key"] for t in job.model_tags} >= {"model-import:execution", "model-import:source-uri", "model-import:trigger"}
    assert job.job_tags == job.model_tags
    assert sb.bedrock_store().created == []  # no CreateCustomModel
    assert sb.models() == [{"modelName": "open-weights-demo", "modelArn": model.arn, "modelStatus": "Active", "importApi": "CreateModelImportJob"}]


@pytest.mark.parametrize(
    ("outcome", "notified", "status", "end"),
    [("failed", "FAILED", "Failed", "ModelImportFailed"), ("stuck", "TIMED_OUT", "Creating", "ModelImportTimedOut")],
)
def test_a_failed_or_stuck_import_job_is_reported_with_its_job(sandbox_factory, outcome, notified, status, end) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(outcome=outcome, polls=1), parameters={"ImportTimeoutMinutes": "3"})
    sb.upload_folder(DEMO)
    [execution] = sb.wait_all()

    assert states_entered(sb.history(execution.arn))[-1] == end
    [body] = sb.notifications()
    [job] = sb.import_store().jobs.values()
    assert (body["outcome"], body["modelStatus"], body["modelArn"], body["jobArn"]) == (notified, status, None, job.arn)
    if outcome == "failed":
        assert body["reason"] == job.failure_message
    else:
        assert f"'aws bedrock get-model-import-job --job-identifier {job.arn}'" in body["reason"]
    assert sb.import_store().models == {}


def test_the_same_upload_delivered_twice_makes_one_job_and_one_notification(sb) -> None:
    sb.upload_folder(DEMO, repeat=2)
    first, second = sb.wait_all()

    assert {first.status, second.status} == {"SUCCEEDED"}
    assert [b["outcome"] for b in sb.notifications()] == ["ACTIVE"]
    assert sb.import_store().created == ["open-weights-demo"]
    assert sorted(states_entered(sb.history(e.arn))[-1] for e in (first, second)) == ["IgnoreDuplicateDelivery", "ModelImportSucceeded"]


def test_a_retried_create_gets_its_first_job_back(sandbox_factory) -> None:
    """The create is served but its answer is lost: the retry, with the same token, gets the same job."""
    faults = Faults([Fault("bedrock", "CreateModelImportJob", "InternalServerException", status=500, count=1, after_call=True)])
    sb = sandbox_factory(faults=faults)
    sb.upload_folder(DEMO)
    [execution] = sb.wait_all()

    assert execution.status == "SUCCEEDED"
    assert attempts(sb.history(execution.arn), "StartBedrockImport") == ["BedrockUnavailable", None]
    store = sb.import_store()
    assert (store.created, store.replays) == (["open-weights-demo"], ["open-weights-demo"])
    assert len(sb.notifications()) == 1


def test_a_throttled_status_check_is_retried_in_the_same_loop(sandbox_factory) -> None:
    faults = Faults([Fault("bedrock", "GetModelImportJob", "ThrottlingException", count=2)])
    sb = sandbox_factory(faults=faults)
    sb.upload_folder(DEMO)
    [execution] = sb.wait_all()

    assert execution.status == "SUCCEEDED"
    assert attempts(sb.history(execution.arn), "CheckImportStatus")[:3] == ["BedrockThrottled", "BedrockThrottled", None]


def test_a_name_taken_by_an_imported_model_is_rejected_naming_the_delete_command(sb, tmp_path: Path) -> None:
    sb.upload_folder(DEMO)
    sb.wait_all()
    # A new upload of the same folder name: another trigger version, another request, the same model name.
    sb.upload_trigger("incoming/open-weights-demo/manifest.json", b'{"tags": {"try": "2"}}')
    executions = sb.wait_all()

    assert [b["outcome"] for b in sb.notifications()] == ["ACTIVE", "REJECTED"]
    reason = sb.notifications()[1]["reason"]
    assert "an imported model named 'open-weights-demo' already exists" in reason
    assert "'aws bedrock delete-imported-model --model-identifier open-weights-demo'" in reason
    assert sb.import_store().conflicts == ["open-weights-demo"]
    assert len(sb.import_store().models) == 1
    assert states_entered(sb.history(executions[-1].arn))[-1] == "ModelImportRejected"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"model.safetensors": None, "pytorch_model.bin": b"pickle"}, "Bedrock imports .safetensors only: convert the weights to safetensors"),
        ({"config.json": b'{"model_type": "bert", "architectures": ["BertModel"]}'}, "\"model_type\" 'bert' is not an architecture"),
        ({"config.json": None}, "config.json is missing"),
        ({"tokenizer.json": None}, "no tokenizer (tokenizer.json or tokenizer.model)"),
    ],
)
def test_a_folder_bedrock_would_refuse_is_rejected_before_bedrock(sb, tmp_path: Path, change, words) -> None:
    sb.upload_folder(_folder(tmp_path, "bad-folder", change))
    [execution] = sb.wait_all()

    [body] = sb.notifications()
    assert body["outcome"] == "REJECTED" and words in body["reason"]
    assert body["importApi"] is None  # rejected before a request existed
    assert states_entered(sb.history(execution.arn))[-1] == "ModelImportRejected"
    assert sb.import_store().calls == []  # Bedrock never asked


def test_a_manual_start_naming_a_model_folder_imports_it(sb, tmp_path: Path) -> None:
    sb.upload_folder(_folder(tmp_path, "qwen-ft"), trigger=False)
    sb.start_execution({"sourceUri": f"s3://{sb.bucket}/incoming/qwen-ft/", "modelName": "qwen-ft", "tags": {"team": "nlp"}})
    [execution] = sb.wait_all()

    assert execution.status == "SUCCEEDED"
    [body] = sb.notifications()
    assert (body["importApi"], body["modelName"], body["trigger"]) == ("CreateModelImportJob", "qwen-ft", None)
    [job] = sb.import_store().jobs.values()
    assert {"key": "team", "value": "nlp"} in job.model_tags


def test_a_checkpoint_and_an_open_weight_folder_run_side_by_side(sb, sample: Path) -> None:
    sb.upload_folder(sample)
    sb.upload_folder(DEMO)
    sb.wait_all()

    apis = sorted((b["modelName"], b["importApi"], b["outcome"]) for b in sb.notifications())
    assert apis == [("nova-micro-demo", "CreateCustomModel", "ACTIVE"), ("open-weights-demo", "CreateModelImportJob", "ACTIVE")]
    assert sorted(m["importApi"] for m in sb.models()) == ["CreateCustomModel", "CreateModelImportJob"]
    assert json.loads(json.dumps(sb.models()))  # plain JSON, as --json prints it


def test_an_import_job_of_a_folder_emptied_after_validation_fails_as_aws_would(sb) -> None:
    """Bedrock reads the folder when the job runs: a folder emptied after ValidateArtifacts makes the
    job Failed (the emulator applies the empty-source rule to import jobs too)."""
    store = sb.import_store()
    job = store._behaviour("gone", f"s3://{sb.bucket}/incoming/nothing-here/")
    assert job.outcome == "failed" and "No model files were found at" in job.failure_message
    sb.upload_folder(DEMO)
    sb.wait_all()
    assert store._behaviour("demo", f"s3://{sb.bucket}/incoming/open-weights-demo/").outcome == "active"
