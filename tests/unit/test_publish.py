"""PublishResult against moto SNS/SQS/DynamoDB: one message per ledger key, never two."""

import json

import pytest
from botocore.stub import Stubber

from model_import.errors import AwsCallFailed, LedgerUnavailable, NotificationUnavailable
from model_import.inputs import Trigger
from model_import.publish import ledger_key, publish_result
from model_import.request import request_token
from model_import.settings import PublishSettings
from tests.support import BUCKET, execution, s3_event, trigger_key

TOKEN = "f" * 64
REQUEST = {
    "modelName": "m",
    "sourceUri": f"s3://{BUCKET}/incoming/m/",
    "tags": {},
    "clientRequestToken": TOKEN,
    "trigger": {"bucket": BUCKET, "key": trigger_key("m"), "versionId": "v1", "sequencer": "seq"},
}
MODEL = {
    "modelArn": "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abc",
    "modelName": "m",
    "modelStatus": "Active",
    "failureMessage": None,
    "checks": 2,
    "waitedSeconds": 120,
    "waitSeconds": 0,
    "deadlineReached": False,
}
REJECTION = {
    "Error": "ImportRejected",
    "Cause": json.dumps({"errorMessage": "the name is bad", "errorType": "ImportRejected"}),
}


@pytest.fixture
def settings(aws):
    return PublishSettings(topic_arn=aws.topic_arn, ledger_table=aws.ledger_table)


def _active(run="run-1"):
    return {"outcome": "ACTIVE", "request": REQUEST, "model": MODEL, "execution": execution(run)}


def _ledger(aws, key):
    return aws.dynamodb.get_item(TableName=aws.ledger_table, Key={"pk": {"S": key}}, ConsistentRead=True).get("Item")


def test_a_result_is_published_once_with_subject_body_and_attributes(aws, settings):
    result = publish_result(aws.sns, aws.dynamodb, _active(), settings)
    assert (result["published"], result["duplicateOf"], result["outcome"]) == (True, None, "ACTIVE")
    [message] = aws.notifications()
    assert message["subject"] == "Model import ACTIVE: m"
    assert message["attributes"] == {"outcome": "ACTIVE", "modelName": "m"}
    assert message["body"] == result["notification"]
    assert message["body"]["modelArn"] == MODEL["modelArn"]
    item = _ledger(aws, TOKEN)
    assert item["notifiedBy"]["S"] == execution("run-1")["arn"]
    assert "publishedAt" in item and item["messageId"]["S"]
    assert int(item["expiresAt"]["N"]) > 0


def test_a_duplicate_execution_for_the_same_key_is_not_published(aws, settings):
    publish_result(aws.sns, aws.dynamodb, _active("run-1"), settings)
    second = publish_result(aws.sns, aws.dynamodb, _active("run-2"), settings)
    assert (second["published"], second["duplicateOf"]) == (False, execution("run-1")["arn"])
    assert len(aws.notifications()) == 1


def test_a_retry_of_the_same_execution_after_publishing_does_not_publish_twice(aws, settings):
    first = publish_result(aws.sns, aws.dynamodb, _active("run-1"), settings)
    retry = publish_result(aws.sns, aws.dynamodb, _active("run-1"), settings)
    assert (retry["published"], retry["duplicateOf"]) == (True, None)
    assert retry["notification"]["outcome"] == first["notification"]["outcome"]
    assert len(aws.notifications()) == 1


def test_a_retry_after_sns_failed_publishes(aws, settings):
    with Stubber(aws.sns) as stub:
        stub.add_client_error("publish", "InternalError", http_status_code=500)
        with pytest.raises(NotificationUnavailable):
            publish_result(aws.sns, aws.dynamodb, _active("run-1"), settings)
    assert aws.notifications() == []
    assert publish_result(aws.sns, aws.dynamodb, _active("run-1"), settings)["published"] is True
    assert len(aws.notifications()) == 1


def test_the_claim_made_by_claim_import_request_does_not_block_the_notification(aws, settings):
    # ClaimImportRequest (a DynamoDB putItem in the state machine) writes the same key first.
    aws.dynamodb.put_item(
        TableName=aws.ledger_table, Item={"pk": {"S": TOKEN}, "claimedBy": {"S": execution("run-1")["arn"]}}
    )
    assert publish_result(aws.sns, aws.dynamodb, _active("run-1"), settings)["published"] is True
    assert len(aws.notifications()) == 1


def test_two_deliveries_of_one_rejected_upload_notify_once(aws, settings):
    event = s3_event(trigger_key("bad name"), version_id="v1")
    for run in ("run-1", "run-2"):
        publish_result(
            aws.sns,
            aws.dynamodb,
            {"outcome": "REJECTED", "input": event, "error": REJECTION, "execution": execution(run)},
            settings,
        )
    [message] = aws.notifications()
    assert message["body"]["reason"] == "the name is bad"
    assert message["subject"] == "Model import REJECTED: bad name"


def test_two_manual_starts_with_the_same_rejected_input_notify_twice(aws, settings):
    manual = {"sourceUri": "https://x", "modelName": "m"}
    for run in ("run-1", "run-2"):
        publish_result(
            aws.sns,
            aws.dynamodb,
            {"outcome": "REJECTED", "input": manual, "error": REJECTION, "execution": execution(run)},
            settings,
        )
    assert len(aws.notifications()) == 2


def test_the_ledger_key_is_the_request_token_or_the_triggers_identity():
    assert ledger_key({"request": REQUEST}) == TOKEN
    event = s3_event(trigger_key("x"), version_id="v1")
    expected = request_token(Trigger(BUCKET, trigger_key("x"), "v1", "0062E99A88DC407460"), "ignored")
    assert ledger_key({"input": event, "execution": execution("a")}) == expected
    assert ledger_key({"input": None, "execution": execution("a")}) == request_token(None, execution("a")["arn"])


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("ProvisionedThroughputExceededException", LedgerUnavailable),
        ("InternalServerError", LedgerUnavailable),
        ("AccessDeniedException", AwsCallFailed),
        ("ResourceNotFoundException", AwsCallFailed),
    ],
)
def test_ledger_failures_are_named_and_nothing_is_published(aws, settings, code, error):
    with Stubber(aws.dynamodb) as stub:
        stub.add_client_error("update_item", code, http_status_code=400)
        with pytest.raises(error):
            publish_result(aws.sns, aws.dynamodb, _active(), settings)
    assert aws.notifications() == []


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("Throttling", 400, NotificationUnavailable),
        ("KMSThrottling", 400, NotificationUnavailable),
        ("AuthorizationError", 403, AwsCallFailed),
        ("NotFound", 404, AwsCallFailed),
    ],
)
def test_sns_failures_are_named(aws, settings, code, status, error):
    with Stubber(aws.sns) as stub:
        stub.add_client_error("publish", code, http_status_code=status)
        with pytest.raises(error):
            publish_result(aws.sns, aws.dynamodb, _active(), settings)


def test_a_rejected_name_with_control_characters_is_still_published(aws, settings):
    state = {
        "outcome": "REJECTED",
        "input": {"sourceUri": "s3://x", "modelName": "bad\x00name\n"},
        "error": REJECTION,
        "execution": execution(),
    }
    assert publish_result(aws.sns, aws.dynamodb, state, settings)["published"] is True
    [message] = aws.notifications()
    assert message["body"]["modelName"] == "bad\x00name\n"
    assert message["attributes"]["modelName"] == "bad?name\n"
    assert message["subject"] == "Model import REJECTED: bad?name?"


def test_a_duplicate_that_failed_early_does_not_speak_for_the_execution_that_claimed_the_request(aws, settings):
    """Execution A claimed the request (ClaimImportRequest) and is still polling; a duplicate
    delivery B of the same upload ended in ERROR before claiming. B must not send the upload's one
    notification: A will, with the real outcome."""
    aws.dynamodb.put_item(
        TableName=aws.ledger_table,
        Item={"pk": {"S": TOKEN}, "claimedBy": {"S": execution("run-a")["arn"]}},
    )
    error = {"Error": "S3Unavailable", "Cause": json.dumps({"errorMessage": "s3 GetObject: SlowDown"})}
    duplicate = {"outcome": "ERROR", "request": REQUEST, "error": error, "execution": execution("run-b")}
    result = publish_result(aws.sns, aws.dynamodb, duplicate, settings)
    assert (result["published"], result["duplicateOf"]) == (False, execution("run-a")["arn"])
    assert aws.notifications() == []

    result = publish_result(aws.sns, aws.dynamodb, _active("run-a"), settings)
    assert result["published"] is True
    assert [m["body"]["outcome"] for m in aws.notifications()] == ["ACTIVE"]
