"""python -m sandbox run: each exit status, the --json document, and the human timeline."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.cli import main
from tests.workflow.flow import BUCKET, ESCROW_URI, model_folder

pytestmark = pytest.mark.workflow
REPO = Path(__file__).resolve().parents[2]
SAMPLE = str(REPO / "examples" / "nova-micro-demo")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["run", *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_sample_upload_prints_the_timeline_then_the_notification_and_exits_0() -> None:
    code, out, err = run("--artifacts", SAMPLE)

    assert code == 0
    lines = out.splitlines()
    order = [name for name in ("ValidateArtifacts", "ClaimImportRequest", "CreateCustomModel", "WaitBeforeCheck",
                               "CheckModelStatus", "RecordSuccess", "PublishResult", "ModelImportSucceeded")
             if any(f" {name} " in f" {line} " for line in lines)]  # fmt: skip
    assert len(order) == 8
    assert any("waited 60 s on AWS time" in line for line in lines)
    assert any("Active (check 2)" in line for line in lines)
    assert "Notification 1/1: Model import ACTIVE: nova-micro-demo" in out
    assert lines[-1].startswith("OK: 1 execution (1 SUCCEEDED), 1 notification (1 ACTIVE), 1 model (1 Active) in ")
    assert '"level":"INFO"' not in out  # the handlers' logs stay out of the human output
    assert err == ""


def test_json_document_lists_executions_notifications_and_models() -> None:
    code, out, _ = run("--artifacts", SAMPLE, "--json")
    document = json.loads(out)

    assert code == 0
    assert set(document) == {"executions", "notifications", "models"}
    [execution] = document["executions"]
    assert set(execution) == {"executionArn", "status", "input", "output"}
    assert execution["status"] == "SUCCEEDED"
    assert execution["input"]["detail"]["object"]["key"] == "incoming/nova-micro-demo/manifest.json"
    assert execution["output"]["outcome"] == "ACTIVE"
    [notification] = document["notifications"]
    assert notification["outcome"] == "ACTIVE" and notification["executionArn"] == execution["executionArn"]
    assert list(notification) == ["outcome", "modelName", "modelArn", "modelStatus", "sourceUri", "reason",
                                  "trigger", "executionArn", "startedAt", "finishedAt", "importApi",
                                  "modelPackageArn", "jobArn"]  # fmt: skip
    assert document["models"] == [
        {"modelName": "nova-micro-demo", "modelArn": notification["modelArn"], "modelStatus": "Active", "importApi": "CreateCustomModel"}
    ]


def test_failed_import_exits_1() -> None:
    code, out, _ = run("--artifacts", SAMPLE, "--bedrock", "failed", "--polls", "1", "--json")
    document = json.loads(out)

    assert code == 1
    assert [n["outcome"] for n in document["notifications"]] == ["FAILED"]
    assert document["executions"][0]["status"] == "FAILED"


def test_event_for_another_bucket_starts_nothing_and_exits_1(tmp_path: Path) -> None:
    event = json.loads((REPO / "events" / "s3-object-created.json").read_text())
    event["detail"]["bucket"]["name"] = "someone-elses-bucket"
    (tmp_path / "event.json").write_text(json.dumps(event))
    code, out, _ = run("--event", str(tmp_path / "event.json"))

    assert code == 1
    assert "No execution started" in out
    assert out.splitlines()[-1].startswith("NOT ACTIVE: 0 executions, 0 notifications, 0 models")


def test_manual_input_of_an_escrow_source_exits_0(tmp_path: Path) -> None:
    (tmp_path / "input.json").write_text(json.dumps({"sourceUri": ESCROW_URI, "modelName": "from-escrow"}))
    code, out, _ = run("--input", str(tmp_path / "input.json"), "--json")

    assert code == 0
    assert json.loads(out)["models"][0]["modelName"] == "from-escrow"


def test_artifacts_with_input_are_staged_and_only_the_input_starts_an_execution(tmp_path: Path) -> None:
    (tmp_path / "input.json").write_text(json.dumps({"bucket": BUCKET, "key": "incoming/renamed/manifest.json"}))
    code, out, _ = run("--artifacts", SAMPLE, "--model-name", "renamed", "--input", str(tmp_path / "input.json"), "--json")
    document = json.loads(out)

    assert code == 0
    assert len(document["executions"]) == 1
    assert document["executions"][0]["input"] == {"bucket": BUCKET, "key": "incoming/renamed/manifest.json"}
    assert document["models"][0]["modelName"] == "renamed"


def test_repeated_delivery_runs_twice_notifies_once_and_exits_0() -> None:
    code, out, _ = run("--artifacts", SAMPLE, "--repeat", "2", "--json")
    document = json.loads(out)

    assert code == 0
    assert len(document["executions"]) == 2
    assert len(document["notifications"]) == 1 and len(document["models"]) == 1


def test_throttled_bedrock_still_exits_0_and_the_timeline_shows_the_retries() -> None:
    code, out, _ = run("--artifacts", SAMPLE, "--throttle", "0.5")

    assert code == 0
    assert "BedrockThrottled" in out


def test_rejected_upload_exits_1(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, "bad--name", {})
    code, out, _ = run("--artifacts", str(folder), "--json")

    assert code == 1
    assert json.loads(out)["notifications"][0]["outcome"] == "REJECTED"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to run"),
        (["--event", "e.json", "--input", "i.json"], "not both"),
        (["--input", "missing.json"], "cannot read the input file"),
        (["--event", "not-json.json"], "is not valid JSON"),
        (["--event", "array.json"], "must hold one JSON object"),
        (["--artifacts", "no-such-dir"], "not a readable directory"),
        (["--model-name", "x", "--input", "i.json"], "give --artifacts too"),
        (["--artifacts", SAMPLE, "--throttle", "1.5"], "--throttle"),
        (["--artifacts", SAMPLE, "--polls", "0"], "--polls"),
        (["--artifacts", SAMPLE, "--repeat", "two"], "--repeat"),
        (["--artifacts", SAMPLE, "--bedrock", "slow"], "--bedrock"),
        (["--artifacts", SAMPLE, "--unknown"], "unrecognized arguments"),
    ],
    ids=["nothing", "event-and-input", "missing-file", "bad-json", "not-an-object", "no-dir", "name-without-artifacts",
         "throttle-range", "polls-range", "repeat-type", "bedrock-choice", "unknown-option"],
)  # fmt: skip
def test_bad_usage_or_unreadable_file_exits_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.json").write_text("{}")
    (tmp_path / "i.json").write_text("{}")
    (tmp_path / "not-json.json").write_text("{nope")
    (tmp_path / "array.json").write_text("[]")
    code, out, err = run(*args)

    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("python -m sandbox: error: ")
    assert message in err


def test_python_dash_m_sandbox_runs_the_demo_in_a_fresh_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "run", "--artifacts", "examples/nova-micro-demo", "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["notifications"][0]["outcome"] == "ACTIVE"
    assert done.stderr == ""


def test_python_dash_m_sandbox_exits_2_on_bad_usage() -> None:
    done = subprocess.run([sys.executable, "-m", "sandbox", "run"], cwd=REPO, capture_output=True, text=True, timeout=60, check=False)

    assert done.returncode == 2
    assert done.stderr.startswith("python -m sandbox: error: nothing to run")


def test_verbose_prints_the_handlers_logs_to_stderr_only() -> None:
    code, out, err = run("--artifacts", SAMPLE, "--verbose")

    assert code == 0
    assert "[ValidateArtifactsFunction]" in err and "Import request accepted" in err
    assert "Import request accepted" not in out


def test_an_open_weight_folder_runs_with_create_model_import_job() -> None:
    code, out, _ = run("--artifacts", str(REPO / "examples" / "open-weights-demo"), "--json")
    document = json.loads(out)

    assert code == 0
    [notification] = document["notifications"]
    assert (notification["importApi"], notification["outcome"]) == ("CreateModelImportJob", "ACTIVE")
    assert ":model-import-job/" in notification["jobArn"]
    assert document["models"] == [
        {"modelName": "open-weights-demo", "modelArn": notification["modelArn"], "modelStatus": "Active", "importApi": "CreateModelImportJob"}
    ]


@pytest.mark.parametrize(("bedrock", "outcome", "status"), [("failed", "FAILED", "Failed"), ("stuck", "TIMED_OUT", "Creating")])
def test_bedrock_behaviour_applies_to_open_weights_too(bedrock, outcome, status) -> None:
    code, out, _ = run("--artifacts", str(REPO / "examples" / "open-weights-demo"), "--bedrock", bedrock, "--polls", "1", "--json")
    document = json.loads(out)

    assert code == 1
    assert [n["outcome"] for n in document["notifications"]] == [outcome]
    assert [(m["modelStatus"], m["importApi"]) for m in document["models"]] == [(status, "CreateModelImportJob")]


def test_a_model_registry_approval_event_imports_the_package() -> None:
    code, out, _ = run("--event", str(REPO / "events" / "sagemaker-model-package-approved.json"), "--json")
    document = json.loads(out)

    assert code == 0
    [notification] = document["notifications"]
    assert (notification["modelName"], notification["importApi"]) == ("nova-sft-approved-v1", "CreateCustomModel")
    assert notification["modelPackageArn"] == "arn:aws:sagemaker:us-east-1:123456789012:model-package/nova-sft-approved/1"
