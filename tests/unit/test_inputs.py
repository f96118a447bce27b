"""The three accepted execution inputs, and the reasons every other shape is refused."""

import pytest

from model_import.errors import ImportRejected
from model_import.inputs import ACCEPTED_SHAPES, Trigger, parse_input
from tests.support import BUCKET, s3_event, trigger_key


def test_s3_event_gives_the_trigger_with_version_and_sequencer():
    event = s3_event(trigger_key("my-model"), version_id="v1", sequencer="0062E99A88DC407460")
    parsed = parse_input(event)
    assert parsed.kind == "s3-event"
    assert parsed.trigger == Trigger(BUCKET, "incoming/my-model/manifest.json", "v1", "0062E99A88DC407460")


def test_s3_event_without_version_or_sequencer_leaves_them_unset():
    parsed = parse_input(s3_event(trigger_key("m"), version_id="", sequencer=None))
    assert parsed.trigger.version_id is None and parsed.trigger.sequencer is None


def test_manual_trigger_names_bucket_and_key():
    parsed = parse_input({"bucket": BUCKET, "key": trigger_key("m")})
    assert parsed.kind == "manual-trigger"
    assert parsed.trigger == Trigger(BUCKET, "incoming/m/manifest.json")


def test_manual_source_carries_name_uri_and_tags():
    parsed = parse_input({"sourceUri": "s3://b-b/x/", "modelName": "m", "tags": {"a": "b"}})
    assert (parsed.kind, parsed.source_uri, parsed.model_name, parsed.tags) == (
        "manual-source",
        "s3://b-b/x/",
        "m",
        {"a": "b"},
    )
    assert parsed.trigger is None


def test_manual_source_tags_are_optional():
    assert parse_input({"sourceUri": "s3://b-b/x/", "modelName": "m"}).tags == {}


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (None, "the execution input must be a JSON object, got null"),
        ([], "must be a JSON object, got []"),
        ("incoming/m/manifest.json", 'must be a JSON object, got "incoming/m/manifest.json"'),
        (7, "must be a JSON object, got 7"),
        ({}, "the execution input is an empty object"),
        ({"Records": [{"eventSource": "aws:s3"}]}, "this is an S3 event notification in Records format"),
        ({"Records": [{"EventSource": "aws:sns", "Sns": {}}]}, "this is an SNS notification in Records format"),
        ({"Records": [{"eventSource": "aws:sqs"}]}, "this is an SQS notification in Records format"),
        ({"Records": "x"}, "this is an event notification in Records format"),
        ({"foo": 1}, "unrecognised input with fields ['foo']"),
        ({"bucket": BUCKET}, 'the manual input has missing "key"'),
        ({"key": "k"}, 'missing "bucket"'),
        ({"bucket": BUCKET, "key": "k", "modelName": "m"}, 'unexpected "modelName"'),
        ({"bucket": BUCKET, "key": ""}, '"key" must be a non-empty string, got ""'),
        ({"bucket": 5, "key": "k"}, '"bucket" must be a non-empty string, got 5'),
        ({"sourceUri": "s3://b-b/x/"}, 'missing "modelName"'),
        ({"sourceUri": "s3://b-b/x/", "modelName": "m", "extra": 1}, 'unexpected "extra"'),
        (
            {"sourceUri": "s3://b-b/x/", "modelName": "m", "tags": []},
            '"tags" must be an object of string to string, got []',
        ),
        ({"sourceUri": None, "modelName": "m"}, '"sourceUri" must be a non-empty string, got null'),
        ({"sourceUri": "s3://b-b/x/", "modelName": ""}, '"modelName" must be a non-empty string'),
        ({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification"}, 'source "aws.ec2"'),
        ({"source": "aws.s3", "detail-type": "Object Deleted"}, 'detail-type "Object Deleted"'),
        ({"source": "aws.s3", "detail-type": "Object Created"}, 'the S3 event has no "detail" object'),
        (
            {"source": "aws.s3", "detail-type": "Object Created", "detail": {"bucket": {"name": BUCKET}}},
            "detail.object.key must be a non-empty string",
        ),
        (
            {"source": "aws.s3", "detail-type": "Object Created", "detail": {"object": {"key": "k"}}},
            "detail.bucket.name must be a non-empty string",
        ),
    ],
)
def test_other_shapes_are_rejected_with_the_accepted_shapes(event, words):
    with pytest.raises(ImportRejected) as caught:
        parse_input(event)
    assert words in str(caught.value)
    assert str(caught.value).endswith(f"Accepted inputs: {ACCEPTED_SHAPES}.")


def test_long_values_are_shortened_in_the_reason():
    with pytest.raises(ImportRejected) as caught:
        parse_input("x" * 5000)
    assert len(str(caught.value)) < 600
    assert "..." in str(caught.value)


def test_trigger_reports_itself_in_notification_shape():
    assert Trigger("b", "k", "v", "s").to_dict() == {"bucket": "b", "key": "k", "versionId": "v", "sequencer": "s"}
