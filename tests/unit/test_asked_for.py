"""What a refused request asked for travels in ValidateArtifacts' error message and comes back out
for the notification and the ledger key; a state in the old shape (the raw input in $.input, an error
without it) is still described from its input."""

import json

from model_import import asked_for
from model_import.errors import ImportRejected, S3Unavailable
from model_import.notification import build_notification, error_details
from model_import.publish import ledger_key
from tests.support import BUCKET, ESCROW_URI, execution, s3_event, trigger_key

FINISHED = "2025-01-01T01:00:00.000Z"
EVENT = s3_event(trigger_key("folder"), version_id="v1")


def _cause(err: BaseException) -> dict:
    """The Catch's {"Error", "Cause"} for an error the handler raised, as Lambda reports it."""
    message = str(asked_for.attach(err))
    return {"Error": type(err).__name__, "Cause": json.dumps({"errorMessage": message, "errorType": type(err).__name__,
                                                              "requestId": "r", "stackTrace": ["  File ..."]})}


def _refused(reason: str, **found) -> ImportRejected:
    err = ImportRejected(reason)
    err.asked_for = asked_for.start(EVENT, execution()["arn"])
    asked_for.learn(err.asked_for, **found)
    return err


def test_the_reason_and_what_the_file_named_come_back_apart() -> None:
    error = _cause(_refused("the source is in account 999999999999", modelName="my model", sourceUri=ESCROW_URI))
    body = build_notification({"outcome": "REJECTED", "error": error, "execution": execution()}, FINISHED)

    assert body["reason"] == "the source is in account 999999999999"
    assert (body["modelName"], body["sourceUri"], body["modelPackageArn"]) == ("my model", ESCROW_URI, None)
    assert body["trigger"] == {"bucket": BUCKET, "key": trigger_key("folder"), "versionId": "v1", "sequencer": "0062E99A88DC407460"}
    assert body["importApi"] is None
    assert error_details(error) == ("ImportRejected", "the source is in account 999999999999")


def test_the_ledger_key_of_a_refused_request_is_the_one_its_input_gives() -> None:
    error = _cause(_refused("no"))
    assert ledger_key({"error": error, "execution": execution("other")}) == ledger_key({"input": EVENT, "execution": execution()})


def test_an_error_after_retries_names_the_request_too() -> None:
    err = S3Unavailable("s3 GetObject: SlowDown")
    err.asked_for = asked_for.start({"sourceUri": ESCROW_URI, "modelName": "m"}, execution()["arn"])
    body = build_notification({"outcome": "ERROR", "error": _cause(err), "execution": execution()}, FINISHED)
    assert (body["reason"], body["modelName"], body["sourceUri"]) == ("S3Unavailable: s3 GetObject: SlowDown", "m", ESCROW_URI)


def test_an_old_state_with_the_raw_input_and_a_plain_error_is_described_from_the_input() -> None:
    plain = {"Error": "ImportRejected", "Cause": json.dumps({"errorMessage": "bad", "errorType": "ImportRejected"})}
    body = build_notification({"outcome": "REJECTED", "input": EVENT, "error": plain, "execution": execution()}, FINISHED)
    assert (body["reason"], body["modelName"], body["trigger"]["key"]) == ("bad", "folder", trigger_key("folder"))


def test_the_context_is_attached_once_and_a_malformed_one_is_left_in_the_message() -> None:
    err = _refused("no")
    once = str(asked_for.attach(err))
    assert str(asked_for.attach(err)) == once and once.count(asked_for.CONTEXT_MARKER) == 1
    assert asked_for.split_context("no" + asked_for.CONTEXT_MARKER + "{not json") == ("no" + asked_for.CONTEXT_MARKER + "{not json", None)
    assert str(asked_for.attach(ValueError("plain"))) == "plain"  # no context: nothing added
