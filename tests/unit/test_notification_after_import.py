"""The notification after Active: `deployment`, `smokeTest`, the reason, the subject suffix and the
`deploymentStatus` attribute, built from the states the ASL leaves (issue 10's design: $.model.deployment,
$.smokeTest, $.afterImport, $.error, $.request.deploy)."""

import json
import re

import pytest

from model_import.notification import build_notification, message_attributes, subject
from model_import.publish import publish_result
from model_import.settings import PublishSettings
from tests.support import ESCROW_URI, execution

FINISHED = "2025-01-01T01:00:00.000Z"
MODEL_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abc"
OLD_MODEL_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/old"
DEPLOYMENT_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/a1b2c3d4e5f6"
PT_ARN = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/a1b2c3d4e5f6"
IMPORTED_ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/a1b2c3d4e5f6"


def _lambda_error(name, message):
    return {"Error": name, "Cause": json.dumps({"errorMessage": message, "errorType": name, "stackTrace": []})}


def _request(deploy=None, smoke=None, name="m"):
    return {
        "kind": "sagemaker-checkpoint",
        "importApi": "CreateCustomModel",
        "modelName": name,
        "sourceUri": ESCROW_URI,
        "modelPackageArn": None,
        "modelKmsKeyArn": None,
        "tags": {},
        "clientRequestToken": "t" * 64,
        "trigger": None,
        "deploy": deploy,
        "smokeTest": smoke,
    }


def _deployment(mode="on-demand", status="Active", **extra):
    return {
        "mode": mode,
        "name": "support-bot",
        "arn": PT_ARN if mode == "provisioned" else DEPLOYMENT_ARN,
        "status": status,
        "modelArn": MODEL_ARN,
        "replacedModelArn": None,
        "failureMessage": None,
        "modelUnits": 1 if mode == "provisioned" else None,
        "checks": 3,
        "waitedSeconds": 180,
        "waitSeconds": 60,
        "deadlineReached": False,
        **extra,
    }


def _state(deployment=None, deploy=None, name="m", **extra):
    model = {"modelArn": MODEL_ARN, "modelName": name, "modelStatus": "Active", "failureMessage": None, "checks": 4,
             "waitedSeconds": 240, "waitSeconds": 0, "deadlineReached": False}
    if deployment is not None:
        model["deployment"] = deployment
        deploy = deploy or {"mode": deployment["mode"], "name": deployment["name"], "modelUnits": deployment["modelUnits"]}
    return {"outcome": "ACTIVE", "request": _request(deploy, name=name), "model": model, "execution": execution("run-1"), **extra}


def _notify(state):
    body = build_notification(state, FINISHED)
    attributes = {k: v["StringValue"] for k, v in message_attributes(body).items()}
    return body, subject(body, state.get("afterImport")), attributes


def test_an_import_without_a_deployment_is_reported_as_before():
    body, text, attributes = _notify(_state())
    assert (body["deployment"], body["smokeTest"], body["reason"]) == (None, None, None)
    assert text == "Model import ACTIVE: m"
    assert "deploymentStatus" not in attributes


def test_an_active_on_demand_deployment():
    body, text, attributes = _notify(_state(_deployment()))
    assert body["outcome"] == "ACTIVE" and body["reason"] is None
    assert body["deployment"] == {"mode": "on-demand", "name": "support-bot", "arn": DEPLOYMENT_ARN, "status": "Active", "replacedModelArn": None}
    assert text == "Model import ACTIVE: m (deployed on demand)"
    assert attributes["deploymentStatus"] == "Active"


def test_a_replacement_behind_the_same_deployment_names_the_previous_model():
    body, _, _ = _notify(_state(_deployment(replacedModelArn=OLD_MODEL_ARN)))
    assert body["deployment"]["replacedModelArn"] == OLD_MODEL_ARN


def test_provisioned_throughput_in_service_says_it_bills_in_the_subject():
    body, text, attributes = _notify(_state(_deployment("provisioned", "InService")))
    assert body["deployment"]["status"] == "InService" and body["reason"] is None
    assert text == "Model import ACTIVE: m (Provisioned Throughput: billed hourly until deleted)"
    assert attributes["deploymentStatus"] == "InService"


def test_a_failed_deployment_keeps_outcome_active_and_says_why():
    failed = _deployment(status="Failed", failureMessage="This model is not supported for on-demand deployment.")
    body, text, attributes = _notify(_state(failed, afterImport="DEPLOYMENT_FAILED"))
    assert body["outcome"] == "ACTIVE" and body["modelStatus"] == "Active"
    assert body["reason"] == (
        "the model is Active, but its on-demand deployment support-bot failed: This model is not supported for on-demand deployment"
    )
    assert text == "Model import ACTIVE: m (deployment FAILED)"
    assert attributes["deploymentStatus"] == "Failed"


def test_a_deployment_bedrock_never_created_is_reported_not_created_with_the_error():
    state = _state(
        deploy={"mode": "on-demand", "name": "support-bot", "modelUnits": None},
        afterImport="DEPLOYMENT_FAILED",
        error=_lambda_error("DeploymentRejected", "the deployment support-bot exists but was not created by this stack"),
    )
    body, text, attributes = _notify(state)
    assert body["deployment"] == {"mode": "on-demand", "name": "support-bot", "arn": None, "status": "NotCreated", "replacedModelArn": None}
    assert body["reason"] == (
        "the model is Active, but its on-demand deployment support-bot failed: "
        "DeploymentRejected: the deployment support-bot exists but was not created by this stack"
    )
    assert text == "Model import ACTIVE: m (deployment FAILED)"  # nothing billable, nothing deployed
    assert attributes["deploymentStatus"] == "NotCreated"


def test_a_deployment_check_that_errored_reports_the_error_not_the_last_status():
    state = _state(_deployment(status="Creating"), afterImport="DEPLOYMENT_FAILED", error=_lambda_error("AwsCallFailed", "denied"))
    body, _, _ = _notify(state)
    assert body["reason"] == "the model is Active, but its on-demand deployment support-bot failed: AwsCallFailed: denied"


def test_a_failed_provisioned_throughput_names_the_command_that_stops_its_billing():
    failed = _deployment("provisioned", "Failed", failureMessage="Insufficient capacity.")
    body, text, _ = _notify(_state(failed, afterImport="DEPLOYMENT_FAILED"))
    assert body["reason"] == (
        "the model is Active, but its Provisioned Throughput support-bot failed: Insufficient capacity. Provisioned Throughput "
        f"bills hourly until it is deleted; stop it with 'aws bedrock delete-provisioned-model-throughput --provisioned-model-id {PT_ARN}'"
    )
    assert text == "Model import ACTIVE: m (Provisioned Throughput: billed hourly until deleted; deployment FAILED)"


def test_a_timed_out_on_demand_deployment_says_how_to_check_it():
    slow = _deployment(status="Creating", deadlineReached=True, waitedSeconds=14400, checks=240)
    body, text, attributes = _notify(_state(slow, afterImport="DEPLOYMENT_TIMED_OUT"))
    assert body["reason"] == (
        "the model is Active, but its on-demand deployment support-bot was still Creating after 240 minutes of waiting "
        "(240 status checks); it may still become ready: check it with "
        f"'aws bedrock get-custom-model-deployment --custom-model-deployment-identifier {DEPLOYMENT_ARN}', "
        "or raise the stack's ImportTimeoutMinutes"
    )
    assert text == "Model import ACTIVE: m (deployment TIMED OUT)"
    assert attributes["deploymentStatus"] == "Creating"


def test_a_timed_out_provisioned_throughput_says_how_to_check_and_stop_it():
    slow = _deployment("provisioned", "Creating", deadlineReached=True, waitedSeconds=600)
    body, _, _ = _notify(_state(slow, afterImport="DEPLOYMENT_TIMED_OUT"))
    assert f"check it with 'aws bedrock get-provisioned-model-throughput --provisioned-model-id {PT_ARN}'" in body["reason"]
    assert body["reason"].endswith(f"'aws bedrock delete-provisioned-model-throughput --provisioned-model-id {PT_ARN}'")
    assert "still Creating after 10 minutes" in body["reason"]


SMOKE_OK = {"ok": True, "latencyMs": 812, "outputPreview": "Hello! How can I help?", "error": None, "api": "Converse",
            "modelId": DEPLOYMENT_ARN, "attempts": 1}


def test_a_passed_smoke_test_is_reported_without_a_reason():
    body, text, _ = _notify(_state(_deployment(), smokeTest=SMOKE_OK))
    assert body["smokeTest"] == {"ok": True, "latencyMs": 812, "outputPreview": "Hello! How can I help?", "error": None,
                                 "api": "Converse", "modelId": DEPLOYMENT_ARN}
    assert body["reason"] is None and text == "Model import ACTIVE: m (deployed on demand)"


def test_a_smoke_test_of_an_imported_model_needs_no_deployment():
    state = _state(smokeTest={**SMOKE_OK, "api": "InvokeModel", "modelId": IMPORTED_ARN})
    body, text, attributes = _notify(state)
    assert body["deployment"] is None and body["smokeTest"]["modelId"] == IMPORTED_ARN
    assert text == "Model import ACTIVE: m" and "deploymentStatus" not in attributes


def test_a_smoke_test_that_answered_an_error_fails_after_active():
    failed = {**SMOKE_OK, "ok": False, "outputPreview": None, "latencyMs": 95, "error": "ModelErrorException: the model crashed."}
    body, text, _ = _notify(_state(_deployment(), smokeTest=failed, afterImport="SMOKE_TEST_FAILED"))
    assert body["smokeTest"]["ok"] is False and body["smokeTest"]["error"] == "ModelErrorException: the model crashed."
    assert body["reason"] == (
        f"the model is Active and invocable at {DEPLOYMENT_ARN}, but the smoke test failed: ModelErrorException: the model crashed"
    )
    assert text == "Model import ACTIVE: m (deployed on demand; smoke test FAILED)"


def test_a_smoke_test_whose_retries_ran_out_is_reported_from_the_catch():
    state = _state(_deployment("provisioned", "InService"), afterImport="SMOKE_TEST_FAILED",
                   error=_lambda_error("ModelNotReady", "the model is not ready after 6 attempts"))
    body, text, _ = _notify(state)
    assert body["smokeTest"] == {"ok": False, "latencyMs": None, "outputPreview": None,
                                 "error": "ModelNotReady: the model is not ready after 6 attempts", "api": None, "modelId": None}
    assert body["reason"].startswith(
        f"the model is Active and invocable at {PT_ARN}, but the smoke test failed: ModelNotReady: the model is not ready after 6 attempts. "
    )
    assert body["reason"].endswith(f"--provisioned-model-id {PT_ARN}'")
    assert text.endswith("(Provisioned Throughput: billed hourly until deleted; smoke test FAILED)")


def test_a_long_output_preview_is_cut_to_200_characters():
    body, _, _ = _notify(_state(_deployment(), smokeTest={**SMOKE_OK, "outputPreview": "word " * 100}))
    assert len(body["smokeTest"]["outputPreview"]) == 200


@pytest.mark.parametrize("after", [None, "DEPLOYMENT_FAILED", "DEPLOYMENT_TIMED_OUT", "SMOKE_TEST_FAILED"])
def test_the_subject_shortens_a_long_name_to_keep_its_suffix(after):
    name = "n" * 63
    body, text, _ = _notify(_state(_deployment("provisioned", "InService"), name=name, afterImport=after))
    assert len(text) <= 100 and re.match(r"Model import ACTIVE: n{9,}\.\.\. \(", text)
    assert "(Provisioned Throughput: billed hourly" in text and text.endswith(")")
    assert body["modelName"] == name  # the body keeps it whole


def test_published_subject_and_attributes_carry_the_after_import_parts(aws):
    state = _state(_deployment(status="Failed", failureMessage="not eligible"), afterImport="DEPLOYMENT_FAILED")
    settings = PublishSettings(topic_arn=aws.topic_arn, ledger_table=aws.ledger_table)
    assert publish_result(aws.sns, aws.dynamodb, state, settings)["published"] is True
    [message] = aws.notifications()
    assert message["subject"] == "Model import ACTIVE: m (deployment FAILED)"
    assert message["attributes"]["deploymentStatus"] == "Failed"
    assert message["body"]["deployment"]["status"] == "Failed" and message["body"]["outcome"] == "ACTIVE"


def test_an_after_import_value_the_asl_never_sets_is_ignored():
    body, text, _ = _notify(_state(_deployment(), afterImport={"not": "a known value"}))
    assert body["reason"] is None and text == "Model import ACTIVE: m (deployed on demand)"
