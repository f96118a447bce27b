"""The import request and its deterministic clientRequestToken."""

from model_import import bedrock_rules as rules
from model_import.inputs import Trigger
from model_import.request import ImportRequest, request_token
from tests.support import BUCKET, execution_arn, trigger_key

UPLOAD = Trigger(BUCKET, trigger_key("m"), "v1", "0062E99A88DC407460")


def test_the_same_upload_delivered_twice_gets_the_same_token():
    assert request_token(UPLOAD, execution_arn("first")) == request_token(UPLOAD, execution_arn("second"))


def test_each_part_of_the_triggers_identity_changes_the_token():
    tokens = {
        request_token(trigger, execution_arn())
        for trigger in (
            UPLOAD,
            Trigger("other-bucket", UPLOAD.key, "v1", UPLOAD.sequencer),
            Trigger(BUCKET, trigger_key("n"), "v1", UPLOAD.sequencer),
            Trigger(BUCKET, UPLOAD.key, "v2", UPLOAD.sequencer),
            Trigger(BUCKET, UPLOAD.key, "v1", "0062E99A88DC407461"),
            Trigger(BUCKET, UPLOAD.key, None, UPLOAD.sequencer),
        )
    }
    assert len(tokens) == 6


def test_an_unversioned_upload_is_identified_by_its_sequencer():
    unversioned = Trigger(BUCKET, UPLOAD.key, None, "0062E99A88DC407460")
    assert request_token(unversioned, execution_arn("a")) == request_token(unversioned, execution_arn("b"))


def test_manual_starts_get_a_token_from_their_own_execution():
    manual = Trigger(BUCKET, UPLOAD.key)  # {"bucket", "key"}: no version or sequencer
    assert request_token(manual, execution_arn("a")) != request_token(manual, execution_arn("b"))
    assert request_token(None, execution_arn("a")) == request_token(None, execution_arn("a"))
    assert request_token(None, execution_arn("a")) != request_token(None, execution_arn("b"))


def test_tokens_meet_bedrocks_pattern():
    for token in (request_token(UPLOAD, "x"), request_token(None, "")):
        assert rules.is_valid_token(token) and len(token) == 64


def test_requests_survive_the_round_trip_through_the_state_machine():
    request = ImportRequest("m", "s3://b-b/x/", {"a": "b"}, "t" * 64, UPLOAD)
    assert ImportRequest.from_dict(request.to_dict()) == request
    manual = ImportRequest("m", "s3://b-b/x/", {}, "t" * 64, None)
    assert manual.to_dict()["trigger"] is None
    assert ImportRequest.from_dict(manual.to_dict()) == manual
