"""The sandbox's in-process Lambda runtime: each function gets exactly its own environment from the
template, errors come back as Lambda reports them, and handler output stays out of the way."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from sandbox.lambdas import InjectedCrash

pytestmark = pytest.mark.workflow


def _function(sb, logical_id: str):
    return next(f for f in sb.stack.functions.values() if f.logical_id == logical_id)


def test_each_function_runs_with_exactly_its_template_environment(sb, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, dict[str, str]] = {}
    original = sb._runtime._handler

    def spy(code):
        handler = original(code)

        def wrapped(event, context):
            import os

            seen[code.logical_id] = dict(os.environ)
            return handler(event, context)

        return wrapped

    monkeypatch.setattr(sb._runtime, "_handler", spy)
    sb.upload_folder(Path(__file__).resolve().parents[2] / "examples" / "nova-micro-demo")
    sb.wait_all()

    validate, create, check, publish = (seen[k] for k in ("ValidateArtifactsFunction", "CreateCustomModelFunction",
                                                          "CheckModelStatusFunction", "PublishResultFunction"))  # fmt: skip
    assert validate["ARTIFACT_BUCKET"] == "model-import-sandbox"
    assert validate["INCOMING_PREFIX"] == "incoming/" and validate["TRIGGER_FILE_NAME"] == "manifest.json"
    assert validate["ACCOUNT_ID"] == "123456789012"
    assert "TOPIC_ARN" not in validate and "POLL_INTERVAL_SECONDS" not in validate
    assert create["IMPORT_ROLE_ARN"] == sb.stack.outputs["ImportRoleArn"]
    assert create["POLL_INTERVAL_SECONDS"] == "60" and create["IMPORT_TIMEOUT_MINUTES"] == "240"
    assert "ARTIFACT_BUCKET" not in create
    assert check["POLL_INTERVAL_SECONDS"] == "60" and "IMPORT_ROLE_ARN" not in check
    assert publish["TOPIC_ARN"] == sb.topic_arn and publish["LEDGER_TABLE"] == sb.stack.outputs["ImportLedgerTableName"]
    assert "IMPORT_ROLE_ARN" not in publish
    for env, logical_id in ((validate, "ValidateArtifactsFunction"), (publish, "PublishResultFunction")):
        assert env["POWERTOOLS_SERVICE_NAME"] == "bedrock-model-import"  # the template's Globals
        assert env["AWS_LAMBDA_FUNCTION_NAME"] == _function(sb, logical_id).name


def test_api_invoke_runs_the_real_handler_and_reports_its_exception_like_lambda(sb) -> None:
    client = boto3.client("lambda", region_name="us-east-1")
    name = _function(sb, "CheckModelStatusFunction").name
    response = client.invoke(FunctionName=name, Payload=json.dumps({"model": {"modelArn": "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abcdefghijkl"}, "execution": {"arn": "manual"}}))
    payload = json.loads(response["Payload"].read())

    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "AwsCallFailed"  # ResourceNotFoundException, translated by the handler
    assert "ResourceNotFoundException" in payload["errorMessage"]
    assert payload["stackTrace"] and payload["requestId"]


def test_injected_crash_is_reported_with_its_class_name(sandbox_factory) -> None:
    from sandbox import Fault, Faults

    sb = sandbox_factory(faults=Faults([Fault("lambda", "ValidateArtifactsFunction", "RuntimeError", crash=True)]))
    name = _function(sb, "ValidateArtifactsFunction").name
    response = boto3.client("lambda", region_name="us-east-1").invoke(FunctionName=name, Payload=b"{}")
    payload = json.loads(response["Payload"].read())

    assert payload["errorType"] == InjectedCrash.__name__
    assert sb._runtime.invocations[-1].error_type == "InjectedCrash"


def test_handler_logs_go_to_the_handler_log_not_stdout(capfd: pytest.CaptureFixture[str], sb, sample: Path) -> None:
    sb.upload_folder(sample)
    sb.wait_all()
    out = capfd.readouterr().out

    assert "Import request accepted" in sb.log.text("ValidateArtifactsFunction")
    assert "Result published" in sb.log.text("PublishResultFunction")
    assert '"CloudWatchMetrics"' in sb.log.text()  # the EMF metrics the handlers print
    assert "Import request accepted" not in out


def test_handler_module_stays_warm_within_a_session_and_is_imported_again_in_the_next(sandbox_factory, sample: Path) -> None:
    first = sandbox_factory()
    first.upload_folder(sample)
    first.wait_all()
    module = first._runtime._modules[_function(first, "ValidateArtifactsFunction").name]
    first.upload_folder(sample, "second-model")
    first.wait_all()
    assert first._runtime._modules[_function(first, "ValidateArtifactsFunction").name] is module  # warm
    first.close()

    again = sandbox_factory()
    again.upload_folder(sample)
    again.wait_all()
    assert again._runtime._modules[_function(again, "ValidateArtifactsFunction").name] is not module  # a cold start
