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
    order = [name for name in ("ValidateArtifacts", "ClaimImportRequest", "StartBedrockImport", "WaitBeforeCheck",
                               "CheckImportStatus", "RecordSuccess", "PublishResult", "ModelImportSucceeded")
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
    assert set(document) == {"executions", "notifications", "models", "messages", "deployments"}
    assert document["deployments"] == []  # none asked for
    [execution] = document["executions"]
    assert list(execution) == ["executionArn", "status", "input", "output", "name", "error", "cause", "lastStepError",
                               "startedAt", "stoppedAt"]  # fmt: skip
    assert execution["error"] is None and execution["cause"] is None and execution["lastStepError"] is None
    assert execution["stoppedAt"] >= execution["startedAt"]
    assert execution["status"] == "SUCCEEDED"
    assert execution["input"]["detail"]["object"]["key"] == "incoming/nova-micro-demo/manifest.json"
    assert execution["output"]["outcome"] == "ACTIVE"
    [notification] = document["notifications"]
    assert notification["outcome"] == "ACTIVE" and notification["executionArn"] == execution["executionArn"]
    assert list(notification) == ["outcome", "modelName", "modelArn", "modelStatus", "sourceUri", "reason",
                                  "trigger", "executionArn", "startedAt", "finishedAt", "importApi",
                                  "modelPackageArn", "jobArn", "queuedSeconds", "deployment", "smokeTest"]  # fmt: skip
    assert document["models"] == [
        {"modelName": "nova-micro-demo", "modelArn": notification["modelArn"], "modelStatus": "Active", "importApi": "CreateCustomModel"}
    ]
    [message] = document["messages"]
    assert message == {
        "executionArn": execution["executionArn"],
        "subject": "Model import ACTIVE: nova-micro-demo",
        "attributes": {"outcome": "ACTIVE", "modelName": "nova-micro-demo", "importApi": "CreateCustomModel"},
        "messageId": message["messageId"],
    }


def test_failed_import_exits_1() -> None:
    code, out, _ = run("--artifacts", SAMPLE, "--bedrock", "failed", "--polls", "1", "--json")
    document = json.loads(out)

    assert code == 1
    assert [n["outcome"] for n in document["notifications"]] == ["FAILED"]
    assert document["executions"][0]["status"] == "FAILED"
    # --json alone explains the failure: the execution's error and cause, the message's subject.
    assert document["executions"][0]["error"] == "ModelImportFailed"
    assert "failureMessage" in document["executions"][0]["cause"]
    assert document["messages"][0]["subject"] == "Model import FAILED: nova-micro-demo"
    assert document["messages"][0]["attributes"]["outcome"] == "FAILED"


@pytest.mark.parametrize("content", ["null", "[]", "42", '"incoming/x/manifest.json"'])
def test_an_input_file_that_is_valid_json_but_not_an_object_is_the_executions_input(tmp_path: Path, content: str) -> None:
    """Never ignored: the artifacts are only staged, and the input is what the execution gets (and rejects)."""
    (tmp_path / "input.json").write_text(content)
    code, out, _ = run("--artifacts", SAMPLE, "--input", str(tmp_path / "input.json"), "--json")
    document = json.loads(out)

    assert code == 1
    [execution] = document["executions"]
    assert execution["input"] == json.loads(content)
    assert [n["outcome"] for n in document["notifications"]] == ["REJECTED"]
    assert document["notifications"][0]["reason"].startswith("the execution input must be a JSON object, got ")
    assert document["models"] == []


def test_event_for_another_bucket_starts_nothing_and_exits_1(tmp_path: Path) -> None:
    event = json.loads((REPO / "events" / "s3-object-created.json").read_text())
    event["detail"]["bucket"]["name"] = "someone-elses-bucket"
    (tmp_path / "event.json").write_text(json.dumps(event))
    code, out, _ = run("--event", str(tmp_path / "event.json"))

    assert code == 1
    assert "No execution started" in out
    assert out.splitlines()[-1].startswith("NOT ACTIVE: 0 executions, 0 notifications, 0 models")


def test_manual_input_of_an_escrow_source_exits_0(tmp_path: Path) -> None:
    # --artifacts stages the checkpoint at the escrow URI its manifest names (Bedrock fails an empty source)
    staged = model_folder(tmp_path, "checkpoint", manifest={"checkpoint_s3_bucket": ESCROW_URI})
    (tmp_path / "input.json").write_text(json.dumps({"sourceUri": ESCROW_URI, "modelName": "from-escrow"}))
    code, out, _ = run("--artifacts", str(staged), "--input", str(tmp_path / "input.json"), "--json")

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
    document = json.loads(out)

    assert code == 1
    assert document["notifications"][0]["outcome"] == "REJECTED"
    [execution] = document["executions"]
    assert execution["error"] == "ModelImportRejected"
    step = execution["lastStepError"]
    assert (step["state"], step["error"]) == ("ValidateArtifacts", "ImportRejected")
    assert "the model name 'bad--name' is not allowed" in step["cause"]


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
        # Hostile input, round two: each of these printed a traceback or did something else silently.
        (["--input", "deep.json"], "the input file deep.json is nested too deeply (more than 64 levels of arrays and objects)"),
        (["--event", "deep.json"], "the event file deep.json is nested too deeply"),
        (["--input", "deep-object.json"], "is nested too deeply"),
        (["--input", "duplicate.json"], 'the input file duplicate.json has the key "modelName" twice; give each key once'),
        (["--input", "nan.json"], "is not valid JSON (NaN is not a JSON number)"),
        (["--input", "huge-number.json"], "the input file huge-number.json has a number too long to read (value has 5000 digits)"),
        (["--input", "control.json"], "is not valid JSON (Invalid control character at line 1 column 8)"),
        (["--input", "utf16.json"], "is not UTF-8 text"),
        (["--input", "big.json"], "StartExecution would refuse the input file big.json (262145 bytes): ValidationException: 1 validation "
                                  "error detected: Value at 'input' failed to satisfy constraint: Member must have size less than or "
                                  "equal to 262144 bytes in UTF-8 encoding"),
        (["--artifacts", SAMPLE, "--model-name", ""], "--model-name '' is empty; give a model name such as 'my-model'"),
        (["--artifacts", SAMPLE, "--model-name", "."], "must be one folder name, without '/' and not '.' or '..'"),
        (["--artifacts", SAMPLE, "--model-name", ".."], "not '.' or '..'"),
        (["--artifacts", SAMPLE, "--model-name", "a/b"], "without '/'"),
        (["--artifacts", SAMPLE, "--model-name", "line\nbreak"], "--model-name 'line\\nbreak': holds a control character"),
        (["--artifacts", SAMPLE, "--model-name", "bad\udcffname"], "--model-name 'bad\\xffname': is not valid UTF-8"),
        (["--artifacts", SAMPLE, "--repeat", "101"], "--repeat: must be at most 100, got 101"),
        (["--artifacts", SAMPLE, "--repeat", "-1"], "--repeat: must be at least 1"),
        (["--artifacts", SAMPLE, "--polls", "1e3"], "--polls: must be a whole number, got '1e3'"),
        (["--artifacts", SAMPLE, "--throttle", "nan"], "--throttle: must be between 0 and 1, got nan"),
        (["--input", "."], "cannot read the input file ."),
        (["--input", "/dev/zero"], "the input file /dev/zero is larger than 8 MiB; AWS takes at most 256 KiB"),
    ],
    ids=["nothing", "event-and-input", "missing-file", "bad-json", "not-an-object", "no-dir", "name-without-artifacts",
         "throttle-range", "polls-range", "repeat-type", "bedrock-choice", "unknown-option",
         "input-nested-5000-deep", "event-nested-5000-deep", "input-objects-nested", "duplicate-key", "nan", "huge-number",
         "control-character", "utf16-input", "input-over-256-kib", "model-name-empty", "model-name-dot", "model-name-dot-dot",
         "model-name-slash", "model-name-newline", "model-name-not-utf8", "repeat-too-many", "repeat-negative",
         "polls-not-whole", "throttle-nan", "input-is-a-directory", "input-never-ends"],
)  # fmt: skip
def test_bad_usage_or_unreadable_file_exits_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.json").write_text("{}")
    (tmp_path / "i.json").write_text("{}")
    (tmp_path / "not-json.json").write_text("{nope")
    (tmp_path / "array.json").write_text("[]")
    (tmp_path / "deep.json").write_text("[" * 5000 + "]" * 5000)
    (tmp_path / "deep-object.json").write_text('{"a":' * 100 + "{}" + "}" * 100)
    (tmp_path / "duplicate.json").write_text('{"modelName": "a", "modelName": "b"}')
    (tmp_path / "nan.json").write_text('{"modelName": NaN}')
    (tmp_path / "huge-number.json").write_text('{"n": ' + "7" * 5000 + "}")
    (tmp_path / "control.json").write_text('{"a": "\x01"}')
    (tmp_path / "utf16.json").write_bytes("{}".encode("utf-16"))
    big = {"sourceUri": ESCROW_URI, "modelName": "m", "pad": ""}
    big["pad"] = "x" * (262_145 - len(json.dumps(big)))
    (tmp_path / "big.json").write_text(json.dumps(big))
    code, out, err = run(*args)

    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("python -m sandbox: error: ")
    assert message in err


def test_a_file_name_that_is_not_utf8_under_artifacts_exits_2_naming_it_safely(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, "latin1-names")
    (folder / "checkpoint" / "caf\udce9.bin").write_bytes(b"w")  # the bytes b"caf\xe9.bin", as Latin-1 wrote them
    code, out, err = run("--artifacts", str(folder))

    assert code == 2 and out == ""
    assert err == (
        f"python -m sandbox: error: --artifacts '{folder}': the file name 'checkpoint/caf\\xe9.bin' is not valid UTF-8; "
        "S3 keys are UTF-8 text: rename the file\n"
    )


def test_a_folder_name_that_is_not_utf8_exits_2(tmp_path: Path) -> None:
    folder = model_folder(tmp_path, "mod\udce8le")
    code, out, err = run("--artifacts", str(folder))

    assert code == 2 and out == "" and err.count("\n") == 1
    assert "the folder name 'mod\\xe8le': is not valid UTF-8; S3 keys are UTF-8 text" in err


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


def test_an_event_too_large_to_be_an_execution_input_is_dead_lettered_and_said_so(tmp_path: Path) -> None:
    """EventBridge takes entries up to 1 MB (botocore's PutEvents documentation), but its target,
    StartExecution, refuses an input over 256 KiB: the event goes to the dead-letter queue."""
    event = json.loads((REPO / "events" / "s3-object-created.json").read_text())
    event["detail"]["padding"] = "x" * 300_000
    (tmp_path / "event.json").write_text(json.dumps(event))
    code, out, err = run("--event", str(tmp_path / "event.json"))

    assert code == 1 and err == ""
    assert ("matched, but starting the state machine failed: ValidationException: 1 validation error detected: Value at "
            "'input' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 "
            "encoding. EventBridge sent the event to the dead-letter queue.") in out  # fmt: skip
    assert "no rule matched" not in out
    assert out.splitlines()[-1].startswith("NOT ACTIVE: 0 executions, 0 notifications, 0 models")


def test_a_name_with_escape_sequences_or_a_lone_surrogate_is_printed_escaped(tmp_path: Path) -> None:
    """It printed a UnicodeEncodeError traceback (the surrogate) and sent the terminal an escape sequence."""
    (tmp_path / "input.json").write_text('{"sourceUri": "%s", "modelName": "a\\ud800\\u001b[31mred"}' % ESCROW_URI)
    code, out, err = run("--input", str(tmp_path / "input.json"))

    assert code == 1 and err == ""
    out.encode("utf-8")  # no lone surrogate left to fail on a real terminal
    assert "\x1b" not in out
    assert "  modelName    a\\ud800\\x1b[31mred" in out.splitlines()
