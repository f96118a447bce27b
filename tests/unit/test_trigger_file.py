"""Locating and reading the trigger file: its place, size, JSON shape and known fields."""

import json

import pytest
from botocore.stub import Stubber

from model_import.errors import AwsCallFailed, ImportRejected, S3Unavailable
from model_import.inputs import Trigger
from model_import.trigger_file import folder_of, read_trigger_file
from tests.support import BUCKET, trigger_key

MiB = 1024 * 1024


def _read(aws, settings, key, **trigger):
    return read_trigger_file(aws.s3, Trigger(BUCKET, key, **trigger), settings)


@pytest.mark.parametrize(
    ("key", "folder"),
    [("incoming/my-model/manifest.json", "my-model"), ("incoming/my model/manifest.json", "my model")],
)
def test_the_folder_below_the_incoming_prefix_names_the_model(key, folder, validate_settings):
    assert folder_of(key, validate_settings) == folder


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("other/m/manifest.json", "is not of the form 'incoming/<model-name>/manifest.json'"),
        ("incoming/m/model.json", "is not of the form"),
        ("incoming/manifest.json", "must be exactly one folder below 'incoming/'"),
        ("incoming//manifest.json", "must be exactly one folder below 'incoming/'"),
        ("incoming/a/b/manifest.json", "must be exactly one folder below 'incoming/'"),
        ("incoming/../manifest.json", "'.' and '..' are not model folders"),
        ("incoming/./manifest.json", "'.' and '..' are not model folders"),
        ("incoming/" + "a" * 1020 + "/manifest.json", "S3 keys are at most 1024 bytes"),
        ("incoming/\ud800/manifest.json", "is not valid UTF-8"),
    ],
)
def test_keys_outside_the_layout_are_rejected_before_any_read(key, words, validate_settings):
    with pytest.raises(ImportRejected) as caught:
        folder_of(key, validate_settings)
    assert words in str(caught.value)


def test_a_trigger_in_another_bucket_is_rejected_without_reading_it(aws, validate_settings):
    with pytest.raises(ImportRejected, match=f"must be in this stack's artifact bucket '{BUCKET}', not 'other-bucket'"):
        read_trigger_file(aws.s3, Trigger("other-bucket", trigger_key("m")), validate_settings)


def test_an_empty_trigger_file_means_an_empty_manifest(aws, validate_settings):
    aws.put(trigger_key("m"), b"")
    found = _read(aws, validate_settings, trigger_key("m"))
    assert (found.folder, found.source_uri, found.model_name, found.tags, found.ignored_fields) == (
        "m",
        None,
        None,
        {},
        (),
    )


def test_a_whitespace_only_trigger_file_means_an_empty_manifest(aws, validate_settings):
    aws.put(trigger_key("m"), b" \n\t ")
    assert _read(aws, validate_settings, trigger_key("m")).model_name is None


def test_known_fields_are_read_and_unknown_fields_reported_not_refused(aws, validate_settings):
    aws.put_json(
        trigger_key("m"),
        {
            "checkpoint_s3_bucket": "s3://customer-escrow-123456789012-smtj-a/job/",
            "modelName": "named",
            "tags": {"a": "b"},
            "training_job_name": "job",
            "step": 100,
        },
    )
    found = _read(aws, validate_settings, trigger_key("m"))
    assert found.source_uri == "s3://customer-escrow-123456789012-smtj-a/job/"
    assert found.model_name == "named"
    assert found.tags == {"a": "b"}
    assert found.ignored_fields == ("step", "training_job_name")


def test_a_utf8_bom_is_accepted(aws, validate_settings):
    aws.put(trigger_key("m"), '\ufeff{"modelName": "bom"}'.encode("utf-8"))
    assert _read(aws, validate_settings, trigger_key("m")).model_name == "bom"


def test_a_trigger_file_of_exactly_1_mib_is_read(aws, validate_settings):
    document = json.dumps({"modelName": "big", "padding": ""})
    body = document[:-2] + " " * (MiB - len(document)) + '"}'
    aws.put(trigger_key("m"), body)
    assert _read(aws, validate_settings, trigger_key("m")).model_name == "big"


def test_a_trigger_file_over_1_mib_is_rejected_with_its_size(aws, validate_settings):
    aws.put(trigger_key("m"), b" " * (MiB + 1))
    with pytest.raises(ImportRejected) as caught:
        _read(aws, validate_settings, trigger_key("m"))
    assert f"is {MiB + 1} bytes; it must be at most {MiB} bytes (1 MiB)" in str(caught.value)


def test_a_body_longer_than_its_declared_length_is_still_cut_at_1_mib(aws, validate_settings):
    class Body:
        def __init__(self):
            self.closed = False

        def read(self, n):
            return b" " * n

        def close(self):
            self.closed = True

    body = Body()
    with Stubber(aws.s3) as stub:
        stub.add_response("get_object", {"Body": body, "ContentLength": 10})
        with pytest.raises(ImportRejected, match="is larger than 1048576 bytes"):
            _read(aws, validate_settings, trigger_key("m"))
    assert body.closed


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "is not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
        (b"[1, 2]", "holds a JSON array; it must be a JSON object, or empty"),
        (b'"s3://b/x"', "holds a JSON string"),
        (b"42", "holds a JSON number"),
        (b"null", "holds a JSON null"),
        (b"true", "holds a JSON boolean"),
        (b"\xff\xfe{}", "is not UTF-8 text"),
        (b'{"checkpoint_s3_bucket": 5}', '"checkpoint_s3_bucket" must be an s3:// URI string, got 5'),
        (b'{"checkpoint_s3_bucket": ""}', '"checkpoint_s3_bucket" must be an s3:// URI string, got ""'),
        (b'{"checkpoint_s3_bucket": null}', "got null"),
        (b'{"modelName": ["a"]}', '"modelName" must be a non-empty string, got ["a"]'),
        (b'{"modelName": ""}', '"modelName" must be a non-empty string'),
    ],
)
def test_malformed_trigger_files_are_rejected_with_the_problem(body, words, aws, validate_settings):
    aws.put(trigger_key("m"), body)
    with pytest.raises(ImportRejected) as caught:
        _read(aws, validate_settings, trigger_key("m"))
    reason = str(caught.value)
    assert reason.startswith(f"the trigger file s3://{BUCKET}/{trigger_key('m')}")
    assert words in reason


def test_a_missing_trigger_file_is_rejected_with_how_to_retry(aws, validate_settings):
    with pytest.raises(ImportRejected) as caught:
        _read(aws, validate_settings, trigger_key("gone"))
    assert str(caught.value) == (
        f"the trigger file s3://{BUCKET}/incoming/gone/manifest.json does not exist (was it deleted or renamed?); "
        "upload it again to retry"
    )


def test_an_unknown_version_is_rejected_naming_the_version(aws, validate_settings):
    aws.put(trigger_key("m"), b"{}")
    with pytest.raises(ImportRejected, match="version 'no-such-version' of the trigger file .* does not exist"):
        _read(aws, validate_settings, trigger_key("m"), version_id="no-such-version")


def test_a_malformed_version_id_is_a_rejection_not_an_aws_error(aws, validate_settings):
    # Real S3 answers 400 InvalidArgument ("Invalid version id specified") where moto says NoSuchVersion.
    with Stubber(aws.s3) as stub:
        stub.add_client_error("get_object", "InvalidArgument", "Invalid version id specified", 400)
        with pytest.raises(ImportRejected, match="version 'bogus' of the trigger file"):
            _read(aws, validate_settings, trigger_key("m"), version_id="bogus")


def test_the_requested_version_is_read_not_the_latest(aws, validate_settings):
    first = aws.put_json(trigger_key("m"), {"modelName": "first"})["VersionId"]
    aws.put_json(trigger_key("m"), {"modelName": "second"})
    found = _read(aws, validate_settings, trigger_key("m"), version_id=first)
    assert found.model_name == "first"
    assert found.trigger.version_id == first


def test_the_version_read_is_reported_when_the_input_named_none(aws, validate_settings):
    version = aws.put(trigger_key("m"), b"{}")["VersionId"]
    assert _read(aws, validate_settings, trigger_key("m")).trigger.version_id == version


@pytest.mark.parametrize(
    ("event_key", "stored_key"),
    [
        ("incoming/my+model/manifest.json", "incoming/my model/manifest.json"),
        ("incoming/my%20model/manifest.json", "incoming/my model/manifest.json"),
        ("incoming/caf%C3%A9/manifest.json", "incoming/café/manifest.json"),
        ("incoming/a%3Db/manifest.json", "incoming/a=b/manifest.json"),
    ],
)
def test_url_encoded_event_keys_find_the_stored_object(event_key, stored_key, aws, validate_settings):
    aws.put(stored_key, b"{}")
    found = _read(aws, validate_settings, event_key)
    assert found.trigger.key == stored_key
    assert found.folder == stored_key.split("/")[1]


def test_a_literal_plus_in_a_key_is_read_as_stored(aws, validate_settings):
    aws.put("incoming/a+b/manifest.json", b"{}")
    aws.put("incoming/a b/manifest.json", b'{"modelName": "wrong-one"}')
    found = _read(aws, validate_settings, "incoming/a+b/manifest.json")
    assert found.trigger.key == "incoming/a+b/manifest.json" and found.model_name is None


def test_a_decoded_key_must_still_be_one_folder_deep(aws, validate_settings):
    aws.put("incoming/a/b/manifest.json", b"{}")
    with pytest.raises(ImportRejected, match="exactly one folder below"):
        _read(aws, validate_settings, "incoming/a%2Fb/manifest.json")


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [("SlowDown", 503, S3Unavailable), ("InternalError", 500, S3Unavailable), ("AccessDenied", 403, AwsCallFailed)],
)
def test_s3_failures_reading_the_trigger_are_named(code, status, error, aws, validate_settings):
    with Stubber(aws.s3) as stub:
        stub.add_client_error("get_object", code, http_status_code=status)
        with pytest.raises(error, match=code):
            _read(aws, validate_settings, trigger_key("m"))
