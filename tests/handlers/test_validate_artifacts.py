"""functions/validate_artifacts/app.py on moto S3: the request returned, or the error name routed on."""

import json

import pytest

from model_import.errors import ConfigurationError
from tests.support import BUCKET, ESCROW_URI, VALIDATE_ENV, execution, s3_event, trigger_key


@pytest.fixture
def handler(load_handler, aws):
    return load_handler("validate_artifacts", VALIDATE_ENV)


def _invoke(handler, lambda_context, payload_input, run="run-1"):
    return handler.lambda_handler({"input": payload_input, "execution": execution(run)}, lambda_context)


def test_an_upload_returns_the_import_request(handler, aws, lambda_context):
    version = aws.put_json(trigger_key("nova-micro"), {"checkpoint_s3_bucket": ESCROW_URI, "unknownKey": 1})["VersionId"]
    request = _invoke(handler, lambda_context, s3_event(trigger_key("nova-micro"), version_id=version))
    assert request["modelName"] == "nova-micro"
    assert request["sourceUri"] == ESCROW_URI
    assert (request["kind"], request["importApi"], request["modelPackageArn"]) == (
        "sagemaker-checkpoint", "CreateCustomModel", None
    )
    assert request["tags"]["team"] == "ml-platform"
    assert request["tags"]["model-import:execution"] == "run-1"
    assert request["trigger"] == {
        "bucket": BUCKET,
        "key": trigger_key("nova-micro"),
        "versionId": version,
        "sequencer": "0062E99A88DC407460",
    }
    assert len(request["clientRequestToken"]) == 64


def test_unknown_trigger_file_fields_are_ignored_and_logged(handler, aws, lambda_context, caplog):
    aws.put_json(trigger_key("logged"), {"checkpoint_s3_bucket": ESCROW_URI, "trainingJob": "j", "step": 100})
    with caplog.at_level("INFO"):
        request = _invoke(handler, lambda_context, s3_event(trigger_key("logged")))
    assert request["modelName"] == "logged"
    [ignored] = [r for r in caplog.records if r.getMessage() == "Ignored unknown trigger-file fields"]
    assert ignored.ignoredFields == ["step", "trainingJob"]


def test_two_deliveries_of_one_upload_return_the_same_token(handler, aws, lambda_context):
    aws.put_json(trigger_key("m"), {"checkpoint_s3_bucket": ESCROW_URI})
    event = s3_event(trigger_key("m"))
    first = _invoke(handler, lambda_context, event, "delivery-1")
    second = _invoke(handler, lambda_context, event, "delivery-2")
    assert first["clientRequestToken"] == second["clientRequestToken"]


def test_a_manual_source_start_returns_its_request(handler, lambda_context):
    request = _invoke(handler, lambda_context, {"sourceUri": ESCROW_URI, "modelName": "direct"})
    assert (request["modelName"], request["sourceUri"], request["trigger"]) == ("direct", ESCROW_URI, None)


def test_a_bad_name_raises_import_rejected_with_a_suggestion(handler, aws, lambda_context):
    aws.put("incoming/nova--micro/model.bin", b"w")
    aws.put(trigger_key("nova--micro"), b"{}")
    with pytest.raises(Exception) as caught:
        _invoke(handler, lambda_context, s3_event(trigger_key("nova--micro")))
    assert type(caught.value).__name__ == "ImportRejected"
    assert "Suggested: 'nova-micro'" in str(caught.value)


def test_an_s3_outage_raises_the_retryable_name(handler, aws, lambda_context):
    from botocore.stub import Stubber

    from model_import.clients import client

    with Stubber(client("s3")) as stub:
        stub.add_client_error("get_object", "SlowDown", http_status_code=503)
        with pytest.raises(Exception) as caught:
            _invoke(handler, lambda_context, s3_event(trigger_key("m")))
    assert type(caught.value).__name__ == "S3Unavailable"


def test_a_missing_setting_fails_at_import_naming_it(load_handler, aws, monkeypatch):
    monkeypatch.delenv("ARTIFACT_BUCKET", raising=False)
    env = {k: v for k, v in VALIDATE_ENV.items() if k != "ARTIFACT_BUCKET"}
    with pytest.raises(ConfigurationError, match="ARTIFACT_BUCKET is not set"):
        load_handler("validate_artifacts", env)


# ---------------------------------------------------------------- deploy and smokeTest (issue 10)


def test_the_request_carries_deploy_smoke_test_and_the_stack_tag(load_handler, aws, lambda_context):
    handler = load_handler("validate_artifacts", {**VALIDATE_ENV, "MAX_PROVISIONED_MODEL_UNITS": "2"})
    aws.put_json(
        trigger_key("deployed"),
        {"checkpoint_s3_bucket": ESCROW_URI, "deploy": {"mode": "provisioned", "modelUnits": 2}, "smokeTest": {"prompt": "Ping", "maxTokens": 16}},
    )
    request = _invoke(handler, lambda_context, s3_event(trigger_key("deployed")))
    assert request["deploy"] == {"mode": "provisioned", "name": "deployed", "modelUnits": 2}
    assert request["smokeTest"] == {"prompt": "Ping", "maxTokens": 16}
    assert request["tags"]["model-import:stack"] == VALIDATE_ENV["STACK_NAME"]


def test_the_stack_defaults_reach_a_manual_input_that_names_nothing(load_handler, aws, lambda_context):
    env = {**VALIDATE_ENV, "DEPLOY_AFTER_IMPORT": "on-demand", "SMOKE_TEST_PROMPT": "Say hi."}
    handler = load_handler("validate_artifacts", env)
    request = _invoke(handler, lambda_context, {"sourceUri": ESCROW_URI, "modelName": "by-hand"})
    assert request["deploy"] == {"mode": "on-demand", "name": "by-hand", "modelUnits": None}
    assert request["smokeTest"] == {"prompt": "Say hi.", "maxTokens": 64}


def test_without_deployment_the_request_says_null(handler, aws, lambda_context):
    request = _invoke(handler, lambda_context, {"sourceUri": ESCROW_URI, "modelName": "plain"})
    assert (request["deploy"], request["smokeTest"]) == (None, None)


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"deploy": {"mode": "provisioned"}}, "raise MaxProvisionedModelUnits or ask for on-demand"),
        ({"deploy": {"mode": "on-demand", "modelUnits": True}}, '"modelUnits" applies only to "mode": "provisioned"'),
        ({"smokeTest": {"prompt": "Ping"}}, "invocable only through a deployment"),
        ({"deploy": {"mode": "on-demand"}, "smokeTest": {"prompt": "p" * 4001}}, '"prompt" is 4001 characters'),
    ],
)
def test_a_refused_deploy_or_smoke_test_raises_import_rejected(handler, aws, lambda_context, fields, words):
    from model_import.errors import ImportRejected

    with pytest.raises(ImportRejected, match=words.replace("(", r"\(")) as caught:
        _invoke(handler, lambda_context, {"sourceUri": ESCROW_URI, "modelName": "refused", **fields})
    assert type(caught.value).__name__ == "ImportRejected"  # the error name RecordRejection routes on


def test_a_missing_stack_name_fails_at_init(load_handler, aws, monkeypatch):
    monkeypatch.delenv("STACK_NAME", raising=False)
    env = {k: v for k, v in VALIDATE_ENV.items() if k != "STACK_NAME"}
    with pytest.raises(ConfigurationError, match="STACK_NAME is not set"):
        load_handler("validate_artifacts", env)


def test_a_rejection_carries_what_the_file_named_in_its_message(handler, aws, lambda_context):
    """Lambda reports only errorType and errorMessage: the message carries what the file asked for."""
    foreign = "s3://customer-escrow-999999999999-smtj-abc/job/step_1/"
    aws.put_json(trigger_key("foreign"), {"checkpoint_s3_bucket": foreign})
    with pytest.raises(Exception) as caught:
        _invoke(handler, lambda_context, s3_event(trigger_key("foreign")))
    reason, _, asked = str(caught.value).partition("\n\nAsked for: ")
    assert type(caught.value).__name__ == "ImportRejected" and "999999999999" in reason
    assert (json.loads(asked)["modelName"], json.loads(asked)["sourceUri"]) == ("foreign", foreign)


def test_the_payload_of_an_execution_started_before_the_update_is_still_read(handler, aws, lambda_context):
    """Old executions keep their definition: ValidateArtifacts got the full execution block."""
    aws.put_json(trigger_key("old"), {"checkpoint_s3_bucket": ESCROW_URI})
    new = handler.lambda_handler({"input": s3_event(trigger_key("old")), "execution": {"arn": execution("n")["arn"]}}, lambda_context)
    old = handler.lambda_handler({"input": s3_event(trigger_key("old")), "execution": execution("n")}, lambda_context)
    assert new == old and new["modelName"] == "old"
