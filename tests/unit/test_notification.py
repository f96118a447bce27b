"""The notification body, subject and attributes for every outcome."""

import json

import pytest

from model_import.notification import (
    FIELDS,
    OUTCOMES,
    build_notification,
    error_details,
    message_attributes,
    subject,
)
from tests.support import BUCKET, ESCROW_URI, execution, s3_event, trigger_key

FINISHED = "2025-01-01T01:00:00.000Z"
MODEL_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abc"
TRIGGER = {"bucket": BUCKET, "key": trigger_key("m"), "versionId": "v1", "sequencer": "seq"}
REQUEST = {
    "kind": "sagemaker-checkpoint",
    "importApi": "CreateCustomModel",
    "modelName": "m",
    "sourceUri": ESCROW_URI,
    "modelPackageArn": None,
    "modelKmsKeyArn": None,
    "tags": {},
    "clientRequestToken": "t" * 64,
    "trigger": TRIGGER,
}


def _lambda_error(name, message):
    return {"Error": name, "Cause": json.dumps({"errorMessage": message, "errorType": name, "stackTrace": []})}


def _model(status, **extra):
    return {
        "modelArn": MODEL_ARN,
        "modelName": "m",
        "modelStatus": status,
        "failureMessage": None,
        "checks": 4,
        "waitedSeconds": 14400,
        "waitSeconds": 0,
        "deadlineReached": False,
        **extra,
    }


STATES = {
    "ACTIVE": {"outcome": "ACTIVE", "request": REQUEST, "model": _model("Active")},
    "FAILED": {"outcome": "FAILED", "request": REQUEST, "model": _model("Failed", failureMessage="bad checkpoint")},
    "TIMED_OUT": {"outcome": "TIMED_OUT", "request": REQUEST, "model": _model("Creating", deadlineReached=True)},
    "REJECTED": {
        "outcome": "REJECTED",
        "input": {"bucket": BUCKET, "key": trigger_key("m")},
        "error": _lambda_error("ImportRejected", "the model name 'm m' is not allowed"),
    },
    "ERROR": {
        "outcome": "ERROR",
        "request": REQUEST,
        "error": _lambda_error("AwsCallFailed", "bedrock CreateCustomModel failed: AccessDeniedException: no"),
    },
}
REASONS = {
    "ACTIVE": None,
    "FAILED": "bad checkpoint",
    "TIMED_OUT": (
        "the model was still Creating after 240 minutes of waiting (4 status checks); the import may still finish: "
        "check it with 'aws bedrock get-custom-model --model-identifier m', or raise the stack's ImportTimeoutMinutes"
    ),
    "REJECTED": "the model name 'm m' is not allowed",
    "ERROR": "AwsCallFailed: bedrock CreateCustomModel failed: AccessDeniedException: no",
}


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_every_outcome_has_exactly_the_schemas_keys_and_its_reason(outcome):
    body = build_notification({**STATES[outcome], "execution": execution("run-1")}, FINISHED)
    assert (
        list(body)
        == list(FIELDS)
        == [
            "outcome",
            "modelName",
            "modelArn",
            "modelStatus",
            "sourceUri",
            "reason",
            "trigger",
            "executionArn",
            "startedAt",
            "finishedAt",
            "importApi",
            "modelPackageArn",
            "jobArn",
            "queuedSeconds",
            "deployment",
            "smokeTest",
        ]
    )
    assert body["outcome"] == outcome
    assert body["reason"] == REASONS[outcome]
    assert body["executionArn"] == execution("run-1")["arn"]
    assert (body["startedAt"], body["finishedAt"]) == ("2025-01-01T00:00:00.000Z", FINISHED)
    json.dumps(body)  # serialisable as it is


def test_an_active_notification_describes_the_model_and_its_source():
    body = build_notification({**STATES["ACTIVE"], "execution": execution()}, FINISHED)
    assert (body["modelName"], body["modelArn"], body["modelStatus"], body["sourceUri"], body["trigger"]) == (
        "m",
        MODEL_ARN,
        "Active",
        ESCROW_URI,
        TRIGGER,
    )
    assert (body["importApi"], body["modelPackageArn"]) == ("CreateCustomModel", None)


def test_a_model_package_import_names_its_package_and_api():
    package = "arn:aws:sagemaker:us-east-1:123456789012:model-package/nova/3"
    request = {**REQUEST, "kind": "sagemaker-model-package", "sourceUri": None, "modelPackageArn": package}
    body = build_notification({**STATES["ACTIVE"], "request": request, "execution": execution()}, FINISHED)
    assert (body["sourceUri"], body["modelPackageArn"], body["importApi"]) == (None, package, "CreateCustomModel")
    assert message_attributes(body)["importApi"] == {"DataType": "String", "StringValue": "CreateCustomModel"}


def test_a_rejected_manual_package_input_keeps_what_it_named():
    package = "arn:aws:sagemaker:us-east-1:123456789012:model-package/nova/3"
    state = {"input": {"modelPackageArn": package, "modelName": "m"}, "outcome": "REJECTED",
             "error": _lambda_error("ImportRejected", "no"), "execution": execution()}
    body = build_notification(state, FINISHED)
    assert (body["modelName"], body["modelPackageArn"], body["importApi"]) == ("m", package, None)
    assert "importApi" not in message_attributes(body)


def test_a_failed_model_without_a_message_still_gets_a_reason():
    state = {**STATES["FAILED"], "model": _model("Failed")}
    assert (
        build_notification(state, FINISHED)["reason"]
        == "Bedrock reported the model as Failed without a failure message"
    )


def test_a_rejected_upload_reports_what_was_known_from_the_raw_event():
    event = s3_event(trigger_key("my model"), version_id="v9")
    body = build_notification(
        {
            "outcome": "REJECTED",
            "input": event,
            "execution": execution(),
            "error": _lambda_error("ImportRejected", "why"),
        },
        FINISHED,
    )
    assert body["modelName"] == "my model"
    assert body["trigger"] == {
        "bucket": BUCKET,
        "key": trigger_key("my model"),
        "versionId": "v9",
        "sequencer": "0062E99A88DC407460",
    }
    assert (body["modelArn"], body["modelStatus"], body["sourceUri"]) == (None, None, None)


def test_a_rejected_manual_source_reports_its_name_and_uri():
    body = build_notification(
        {
            "outcome": "REJECTED",
            "input": {"sourceUri": ESCROW_URI, "modelName": "x"},
            "error": _lambda_error("ImportRejected", "why"),
        },
        FINISHED,
    )
    assert (body["modelName"], body["sourceUri"], body["trigger"]) == ("x", ESCROW_URI, None)


@pytest.mark.parametrize("raw", [None, [], "text", {}, {"Records": []}, {"unknown": 1}])
def test_a_rejected_unreadable_input_reports_nulls_not_a_crash(raw):
    body = build_notification(
        {"outcome": "REJECTED", "input": raw, "error": _lambda_error("ImportRejected", "why")}, FINISHED
    )
    assert (body["modelName"], body["sourceUri"], body["trigger"], body["reason"]) == (None, None, None, "why")


def test_an_unknown_outcome_is_reported_as_error():
    body = build_notification(
        {"outcome": "WEIRD", "error": {"Error": "States.Timeout", "Cause": "task timed out"}}, FINISHED
    )
    assert (body["outcome"], body["reason"]) == ("ERROR", "States.Timeout: task timed out")


@pytest.mark.parametrize(
    ("error", "details"),
    [
        (None, ("UnknownError", "no error details were recorded")),
        ({"Error": "States.TaskFailed", "Cause": "plain text"}, ("States.TaskFailed", "plain text")),
        ({"Error": "X", "Cause": '{"errorMessage": "inner"}'}, ("X", "inner")),
        ({"Error": "X", "Cause": '{"other": 1}'}, ("X", '{"other": 1}')),
        ({"Error": "X"}, ("X", "no message")),
    ],
)
def test_error_details_come_from_the_catch_block(error, details):
    assert error_details(error) == details


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("my-model", "Model import ACTIVE: my-model"),
        (None, "Model import ACTIVE: (no model name)"),
        ("line\nbreak\ttab", "Model import ACTIVE: line?break?tab"),
        ("caf\u00e9", "Model import ACTIVE: caf?"),
    ],
)
def test_the_subject_is_one_printable_line(name, expected):
    assert subject({"outcome": "ACTIVE", "modelName": name}) == expected


def test_a_long_subject_is_cut_to_100_characters():
    text = subject({"outcome": "TIMED_OUT", "modelName": "x" * 500})
    assert len(text) == 100 and text.endswith("...") and text.startswith("Model import TIMED_OUT: xxx")


def test_message_attributes_carry_outcome_and_model_name():
    assert message_attributes({"outcome": "FAILED", "modelName": "m"}) == {
        "outcome": {"DataType": "String", "StringValue": "FAILED"},
        "modelName": {"DataType": "String", "StringValue": "m"},
    }


def test_the_model_name_attribute_is_left_out_when_unknown():
    assert message_attributes({"outcome": "REJECTED", "modelName": None}) == {
        "outcome": {"DataType": "String", "StringValue": "REJECTED"},
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("a\x00b", "a?b"),  # SNS refuses control characters in attribute values
        ("half \ud800 surrogate", "half ? surrogate"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("n" * 300, "n" * 253 + "..."),
    ],
)
def test_a_rejected_name_is_made_safe_for_an_sns_attribute(name, value):
    assert message_attributes({"outcome": "REJECTED", "modelName": name})["modelName"]["StringValue"] == value


def test_an_open_weight_import_reports_the_imported_model_and_its_job():
    job = "arn:aws:bedrock:us-east-1:123456789012:model-import-job/abcdefghijkl"
    imported = "arn:aws:bedrock:us-east-1:123456789012:imported-model/mnopqrstuvwx"
    request = {**REQUEST, "kind": "open-weights", "importApi": "CreateModelImportJob", "sourceUri": "s3://b-b/incoming/m/"}
    model = {"kind": "open-weights", "modelArn": imported, "jobArn": job, "modelName": "m", "modelStatus": "Active"}
    body = build_notification({"request": request, "model": model, "outcome": "ACTIVE", "execution": execution("run-1")}, FINISHED)
    assert (body["modelArn"], body["jobArn"], body["importApi"], body["modelStatus"]) == (imported, job, "CreateModelImportJob", "Active")
    assert message_attributes(body)["importApi"] == {"DataType": "String", "StringValue": "CreateModelImportJob"}


def test_a_timed_out_import_job_names_the_command_that_follows_the_job():
    job = "arn:aws:bedrock:us-east-1:123456789012:model-import-job/abcdefghijkl"
    model = {"kind": "open-weights", "modelArn": None, "jobArn": job, "modelName": "m", "modelStatus": "Creating",
             "waitedSeconds": 600, "checks": 10}
    body = build_notification({"request": REQUEST, "model": model, "outcome": "TIMED_OUT", "execution": execution("r")}, FINISHED)
    assert body["modelArn"] is None and body["jobArn"] == job
    assert f"'aws bedrock get-model-import-job --job-identifier {job}'" in body["reason"]
