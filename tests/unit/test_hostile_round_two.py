"""Hostile input, round two: reserved tag keys, hand-made events' identity, an ERROR after the
model exists, and reasons that stay small whatever the input."""

from __future__ import annotations

import json

import pytest

from model_import.errors import ImportRejected
from model_import.inputs import parse_input
from model_import.notification import build_notification
from model_import.settings import ValidateSettings
from model_import.strict_json import MAX_DEPTH
from model_import.validation import validate
from tests.support import ESCROW_URI, VALIDATE_ENV, execution, execution_arn, s3_event, trigger_key

ESCROW_TRIGGER = json.dumps({"checkpoint_s3_bucket": "s3://customer-escrow-123456789012-smtj-abc123/j/step_1/"}).encode()

FINISHED = "2025-01-01T01:00:00.000Z"


# ---------------------------------------------------------------- reserved tag keys


@pytest.mark.parametrize("key", ["aws:team", "AWS:team", "Aws:cost-center", "aWs:x"])
def test_a_manual_tag_key_with_the_aws_prefix_in_any_case_is_rejected_with_the_rule(aws, validate_settings, key) -> None:
    event = {"sourceUri": ESCROW_URI, "modelName": "m", "tags": {key: "v"}}
    with pytest.raises(ImportRejected) as rejected:
        validate(event, execution_arn(), validate_settings, aws.s3)
    assert str(rejected.value) == (
        f"the manual input: tag key {key!r}: the prefix 'aws:' (in any case) is reserved for AWS's own tags; use another key"
    )


def test_a_tag_value_with_the_aws_prefix_is_rejected_too_the_stricter_reading(aws, validate_settings) -> None:
    event = {"sourceUri": ESCROW_URI, "modelName": "m", "tags": {"team": "AWS:ml"}}
    with pytest.raises(ImportRejected, match=r"tag 'team': value 'AWS:ml' starts with 'aws:' \(in any case\)"):
        validate(event, execution_arn(), validate_settings, aws.s3)


def test_a_trigger_file_tag_with_the_aws_prefix_is_rejected(aws, validate_settings) -> None:
    aws.put("incoming/m/model.bin", b"w")
    aws.put(trigger_key("m"), json.dumps({"tags": {"aws:createdBy": "me"}}))
    with pytest.raises(ImportRejected, match=r"incoming/m/manifest\.json: tag key 'aws:createdBy': the prefix 'aws:'"):
        validate(s3_event(trigger_key("m")), execution_arn(), validate_settings, aws.s3)


def test_default_tags_with_the_aws_prefix_reject_every_import_naming_the_parameter(aws) -> None:
    settings = ValidateSettings.from_env({**VALIDATE_ENV, "DEFAULT_TAGS": "AWS:owner=platform"})
    event = {"sourceUri": ESCROW_URI, "modelName": "m"}
    with pytest.raises(ImportRejected, match=r"^the stack's DefaultTags parameter: tag key 'AWS:owner': the prefix 'aws:'"):
        validate(event, execution_arn(), settings, aws.s3)


def test_a_key_that_merely_contains_aws_is_fine(aws, validate_settings) -> None:
    event = {"sourceUri": ESCROW_URI, "modelName": "m", "tags": {"my-aws:team": "ml", "awsome": "yes"}}
    assert validate(event, execution_arn(), validate_settings, aws.s3).request.tags["awsome"] == "yes"


# ---------------------------------------------------------------- hand-made events: one object, one request


def _hand_made(key: str) -> dict:
    event = s3_event(key, sequencer=None)
    assert "version-id" not in event["detail"]["object"] and "sequencer" not in event["detail"]["object"]
    return event


def test_a_hand_made_event_without_version_or_sequencer_is_one_request_across_executions(aws, validate_settings) -> None:
    aws.put("incoming/m/model.bin", b"w")
    version = aws.put(trigger_key("m"), ESCROW_TRIGGER)["VersionId"]
    first = validate(_hand_made(trigger_key("m")), execution_arn("run-1"), validate_settings, aws.s3).request
    again = validate(_hand_made(trigger_key("m")), execution_arn("run-2"), validate_settings, aws.s3).request
    assert first.client_request_token == again.client_request_token
    assert first.trigger is not None and first.trigger.version_id == version  # the version S3 returned
    aws.put(trigger_key("m"), ESCROW_TRIGGER)  # a new upload of the same key is a new request
    newer = validate(_hand_made(trigger_key("m")), execution_arn("run-3"), validate_settings, aws.s3).request
    assert newer.client_request_token != first.client_request_token


def test_on_an_unversioned_bucket_the_etag_and_last_modified_name_the_object(aws, validate_settings) -> None:
    aws.s3.put_bucket_versioning(Bucket=aws.bucket, VersioningConfiguration={"Status": "Suspended"})
    aws.put("incoming/m/model.bin", b"w")
    aws.put(trigger_key("m"), ESCROW_TRIGGER)
    first = validate(_hand_made(trigger_key("m")), execution_arn("run-1"), validate_settings, aws.s3).request
    again = validate(_hand_made(trigger_key("m")), execution_arn("run-2"), validate_settings, aws.s3).request
    assert first.trigger is not None and first.trigger.version_id is None
    assert first.client_request_token == again.client_request_token


def test_events_that_carry_a_sequencer_and_manual_starts_keep_their_identity(aws, validate_settings) -> None:
    aws.put("incoming/m/model.bin", b"w")
    aws.put(trigger_key("m"), ESCROW_TRIGGER)
    real = [validate(s3_event(trigger_key("m")), execution_arn(f"r{i}"), validate_settings, aws.s3).request for i in (1, 2)]
    assert real[0].client_request_token == real[1].client_request_token
    manual = [validate({"bucket": aws.bucket, "key": trigger_key("m")}, execution_arn(f"m{i}"), validate_settings, aws.s3).request
              for i in (1, 2)]  # fmt: skip
    assert manual[0].client_request_token != manual[1].client_request_token  # a manual start really tries again


# ---------------------------------------------------------------- ERROR after CreateCustomModel


def test_an_error_after_the_model_was_created_says_it_exists_and_may_still_finish() -> None:
    cause = json.dumps({"errorMessage": "bedrock GetCustomModel throttled: ThrottlingException: Rate exceeded.", "errorType": "BedrockThrottled"})
    state = {
        "outcome": "ERROR",
        "request": {"modelName": "m", "sourceUri": ESCROW_URI, "tags": {}, "clientRequestToken": "t" * 64, "trigger": None},
        "model": {"modelArn": "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abc", "modelName": "m", "modelStatus": "Creating"},
        "error": {"Error": "BedrockThrottled", "Cause": cause},
        "execution": execution(),
    }
    body = build_notification(state, FINISHED)
    assert body["reason"] == (
        "BedrockThrottled: bedrock GetCustomModel throttled: ThrottlingException: Rate exceeded. The model exists "
        "(last seen Creating) and the import may still finish: check it with 'aws bedrock get-custom-model --model-identifier m'"
    )


def test_an_error_before_any_model_exists_does_not_claim_one() -> None:
    state = {"outcome": "ERROR", "error": {"Error": "AwsCallFailed", "Cause": "denied"}, "execution": execution(), "input": {}}
    assert build_notification(state, FINISHED)["reason"] == "AwsCallFailed: denied"


# ---------------------------------------------------------------- reasons stay small


def test_a_reason_is_never_longer_than_its_limit_whatever_it_quotes() -> None:
    assert len(str(ImportRejected("x" * 100_000))) == ImportRejected.REASON_MAX
    assert str(ImportRejected("short")) == "short"


def test_a_manual_input_with_huge_or_many_unexpected_fields_gets_a_short_reason() -> None:
    event = {"sourceUri": ESCROW_URI, "modelName": "m", "k" * 200_000: 1, **{f"extra-{i}": i for i in range(500)}}
    with pytest.raises(ImportRejected) as rejected:
        parse_input(event)
    reason = str(rejected.value)
    assert len(reason) < 1500
    assert reason.startswith('the manual input has unexpected "extra-0", "extra-1", ') and "and 491 more" in reason


def test_an_execution_input_nested_too_deeply_is_rejected_not_a_crash() -> None:
    deep: dict = {}
    node = deep
    for _ in range(MAX_DEPTH + 5):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(ImportRejected, match=rf"^the execution input is nested too deeply \(more than {MAX_DEPTH} levels"):
        parse_input({"sourceUri": ESCROW_URI, "modelName": "m", "tags": deep})


# ---------------------------------------------------------------- REJECTED keeps the source the input named


@pytest.mark.parametrize(
    "event",
    [
        {"sourceUri": ESCROW_URI, "modelName": "m", "region": "us-west-2"},
        {"sourceUri": ESCROW_URI, "modelName": "m", "tags": ["team"]},
        {"sourceUri": ESCROW_URI},
    ],
    ids=["extra-field", "tags-array", "missing-name"],
)
def test_a_rejected_manual_input_keeps_the_source_it_named_in_the_notification(event) -> None:
    state = {
        "outcome": "REJECTED",
        "input": event,
        "error": {"Error": "ImportRejected", "Cause": json.dumps({"errorMessage": "bad", "errorType": "ImportRejected"})},
        "execution": execution(),
    }
    body = build_notification(state, FINISHED)
    assert (body["outcome"], body["sourceUri"], body["trigger"]) == ("REJECTED", ESCROW_URI, None)


def test_a_rejected_input_whose_source_is_not_a_string_reports_none() -> None:
    state = {"outcome": "REJECTED", "input": {"sourceUri": {"a": 1}}, "error": None, "execution": execution()}
    assert build_notification(state, FINISHED)["sourceUri"] is None
