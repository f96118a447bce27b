"""functions/publish_result/app.py on moto SNS/SQS/DynamoDB: the message a subscriber reads."""

import json

import pytest

from tests.support import BUCKET, execution, s3_event, trigger_key

TOKEN = "d" * 64
REQUEST = {
    "modelName": "nova-micro",
    "sourceUri": f"s3://{BUCKET}/incoming/nova-micro/",
    "tags": {},
    "clientRequestToken": TOKEN,
    "trigger": {"bucket": BUCKET, "key": trigger_key("nova-micro"), "versionId": "v1", "sequencer": "s"},
}
MODEL = {
    "modelArn": "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abc",
    "modelName": "nova-micro",
    "modelStatus": "Active",
    "failureMessage": None,
    "checks": 3,
    "waitedSeconds": 180,
    "waitSeconds": 0,
    "deadlineReached": False,
}


@pytest.fixture
def handler(load_handler, aws, publish_env):
    return load_handler("publish_result", publish_env)


def test_an_active_import_notifies_subscribers(handler, aws, lambda_context):
    state = {
        "input": s3_event(trigger_key("nova-micro")),
        "execution": execution("upload-1"),
        "request": REQUEST,
        "model": MODEL,
        "outcome": "ACTIVE",
    }
    assert handler.lambda_handler(state, lambda_context) == {
        "outcome": "ACTIVE",
        "published": True,
        "duplicateOf": None,
    }
    [message] = aws.notifications()
    assert message["subject"] == "Model import ACTIVE: nova-micro"
    assert message["attributes"] == {"outcome": "ACTIVE", "modelName": "nova-micro"}
    body = message["body"]
    assert (body["outcome"], body["modelName"], body["modelArn"], body["modelStatus"], body["reason"]) == (
        "ACTIVE",
        "nova-micro",
        MODEL["modelArn"],
        "Active",
        None,
    )
    assert body["executionArn"] == execution("upload-1")["arn"]


def test_a_rejection_notifies_with_its_reason(handler, aws, lambda_context):
    reason = "the model name 'nova--micro' is not allowed. Suggested: 'nova-micro'"
    state = {
        "input": {"bucket": BUCKET, "key": trigger_key("nova--micro")},
        "execution": execution("manual-2"),
        "error": {
            "Error": "ImportRejected",
            "Cause": json.dumps({"errorMessage": reason, "errorType": "ImportRejected"}),
        },
        "outcome": "REJECTED",
    }
    assert handler.lambda_handler(state, lambda_context)["published"] is True
    [message] = aws.notifications()
    assert message["subject"] == "Model import REJECTED: nova--micro"
    assert message["body"]["reason"] == reason
    assert message["body"]["trigger"]["key"] == trigger_key("nova--micro")


def test_a_duplicate_execution_returns_unpublished(handler, aws, lambda_context):
    base = {"request": REQUEST, "model": MODEL, "outcome": "ACTIVE"}
    handler.lambda_handler({**base, "execution": execution("a")}, lambda_context)
    result = handler.lambda_handler({**base, "execution": execution("b")}, lambda_context)
    assert result == {"outcome": "ACTIVE", "published": False, "duplicateOf": execution("a")["arn"]}
    assert len(aws.notifications()) == 1


def test_an_sns_outage_raises_the_retryable_name(handler, aws, lambda_context):
    from botocore.stub import Stubber

    from model_import.clients import client

    with Stubber(client("sns")) as stub:
        stub.add_client_error("publish", "InternalError", http_status_code=500)
        with pytest.raises(Exception) as caught:
            handler.lambda_handler(
                {"request": REQUEST, "model": MODEL, "outcome": "ACTIVE", "execution": execution()}, lambda_context
            )
    assert type(caught.value).__name__ == "NotificationUnavailable"
