"""Where a model source may be, and the check that the stack's bucket really holds artifacts."""

import pytest

from model_import.errors import ImportRejected
from model_import.sources import check_source_uri, require_artifacts, split_s3_uri
from tests.support import ACCOUNT_ID, ALLOWED_PREFIX, BUCKET, ESCROW_URI, OTHER_ACCOUNT_ID, new_client, trigger_key

ORIGIN = "the manual input"


@pytest.mark.parametrize(
    "uri",
    [
        f"s3://{BUCKET}/incoming/my-model/",
        f"s3://{BUCKET}/incoming/my-model",
        f"s3://{BUCKET}/incoming/my-model/checkpoints/step_100/",
        ESCROW_URI,
        f"s3://customer-escrow-{ACCOUNT_ID}-hp-xyz789/run/",
        ALLOWED_PREFIX + "team-a/model/",
    ],
)
def test_sources_in_allowed_locations_are_accepted_unchanged(uri, validate_settings):
    assert check_source_uri(uri, validate_settings, ORIGIN) == uri


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        (None, "the source URI must be a non-empty string, got None"),
        ("", "must be a non-empty string"),
        (42, "must be a non-empty string, got 42"),
        ("https://model-import-sandbox.s3.amazonaws.com/incoming/m/", "must be an s3:// URI"),
        ("http://example.com/model/", "http(s) URLs and other schemes are not accepted"),
        ("S3://model-import-sandbox/incoming/m/", "must be an s3:// URI"),
        ("s3://" + "a" * 1100, "is 1105 characters; Bedrock allows at most 1024"),
        (f"s3://{BUCKET}/incoming/../secrets/", "'..' path segment"),
        (f"s3://{BUCKET}/incoming/./m/", "'.' or '..' path segment"),
        (f"s3://{BUCKET}/incoming//m/", "an empty, '.' or '..' path segment"),
        ("s3://Model_Bucket/m/", "does not meet Bedrock's S3 URI rule"),
        ("s3://ab/m/", "does not meet Bedrock's S3 URI rule"),
        (f"s3://{BUCKET}/incoming/my model/", "does not meet Bedrock's S3 URI rule"),
        (f"s3://{BUCKET}/other/m/", "is in the artifact bucket but not in a folder under 'incoming/'"),
        (f"s3://{BUCKET}/incoming/", "is in the artifact bucket but not in a folder under 'incoming/'"),
        (f"s3://{BUCKET}", "is in the artifact bucket but not in a folder"),
        (
            f"s3://customer-escrow-{OTHER_ACCOUNT_ID}-smtj-abc/job/",
            f"escrow bucket of account {OTHER_ACCOUNT_ID}, not of this account ({ACCOUNT_ID})",
        ),
        ("s3://someone-elses-bucket/model/", "is not in an allowed location"),
        ("s3://shared-models-123456789012/approved-not/", "is not in an allowed location"),
        ("s3://shared-models-123456789012/", "is not in an allowed location"),
        (f"s3://customer-escrow-{ACCOUNT_ID}x-smtj/job/", "is not in an allowed location"),
    ],
)
def test_sources_elsewhere_are_rejected_with_what_is_allowed(uri, words, validate_settings):
    with pytest.raises(ImportRejected) as caught:
        check_source_uri(uri, validate_settings, ORIGIN)
    reason = str(caught.value)
    assert reason.startswith(ORIGIN + ": ")
    assert words in reason


def test_a_location_rejection_lists_every_allowed_place_and_the_parameter_to_change(validate_settings):
    with pytest.raises(ImportRejected) as caught:
        check_source_uri("s3://someone-elses-bucket/model/", validate_settings, ORIGIN)
    reason = str(caught.value)
    assert f"s3://{BUCKET}/incoming/<model-name>/" in reason
    assert f"s3://customer-escrow-{ACCOUNT_ID}-*/" in reason
    assert ALLOWED_PREFIX in reason
    assert "AllowedSourcePrefixes" in reason


def test_split_s3_uri_separates_bucket_and_path():
    assert split_s3_uri("s3://b-b/x/y/") == ("b-b", "x/y/")
    assert split_s3_uri("s3://b-b") == ("b-b", "")


class _GetObjectCounter:
    def __init__(self, s3):
        self.keys = []
        s3.meta.events.register("provide-client-params.s3.GetObject", self._record)

    def _record(self, params, **_):
        self.keys.append(params.get("Key"))


def test_a_folder_holding_an_artifact_passes_on_the_first_page(aws):
    aws.put("incoming/m/model.safetensors", b"weights")
    aws.put(trigger_key("m"), b"{}")
    assert require_artifacts(aws.s3, f"s3://{BUCKET}/incoming/m/", trigger_key("m")) == 1


def test_a_folder_holding_only_the_trigger_and_folder_markers_is_rejected(aws):
    aws.put("incoming/m/", b"")
    aws.put("incoming/m/sub/", b"")
    aws.put(trigger_key("m"), b"{}")
    aws.put("incoming/m-other/model.bin", b"not this folder")
    with pytest.raises(ImportRejected) as caught:
        require_artifacts(aws.s3, f"s3://{BUCKET}/incoming/m/", trigger_key("m"))
    assert str(caught.value) == (
        f"no model artifacts found under s3://{BUCKET}/incoming/m/: "
        "upload the checkpoint files first, then the trigger file"
    )


def test_another_models_trigger_file_in_a_sub_folder_is_not_an_artifact(aws):
    aws.put("incoming/m/nested/manifest.json", b"{}")
    with pytest.raises(ImportRejected, match="no model artifacts found"):
        require_artifacts(aws.s3, f"s3://{BUCKET}/incoming/m/", None, "manifest.json")
    aws.put("incoming/m/nested/weights.bin", b"w")
    assert require_artifacts(aws.s3, f"s3://{BUCKET}/incoming/m/", None, "manifest.json") == 1


def test_a_source_without_trailing_slash_lists_the_folder_not_its_siblings(aws):
    aws.put("incoming/m-other/model.bin", b"x")
    with pytest.raises(ImportRejected):
        require_artifacts(aws.s3, f"s3://{BUCKET}/incoming/m", None)


def test_listing_pages_past_1000_markers_and_never_downloads_an_artifact(aws):
    # S3 lists keys in order: 1000 folder markers fill the whole first page, the trigger
    # comes next, and the only artifact is on the second page.
    for i in range(1000):
        aws.put(f"incoming/m/a{i:04d}/", b"")
    aws.put(trigger_key("m"), b"{}")
    aws.put("incoming/m/z/model.safetensors", b"weights")
    first = aws.s3.list_objects_v2(Bucket=BUCKET, Prefix="incoming/m/")
    assert first["IsTruncated"] and all(o["Key"].endswith("/") for o in first["Contents"])
    s3 = new_client("s3")
    gets = _GetObjectCounter(s3)
    assert require_artifacts(s3, f"s3://{BUCKET}/incoming/m/", trigger_key("m")) == 2
    assert gets.keys == []


def test_listing_failures_are_named_for_the_state_machine(aws):
    from botocore.stub import Stubber

    from model_import.errors import AwsCallFailed, S3Unavailable

    with Stubber(aws.s3) as stub:
        stub.add_client_error("list_objects_v2", "SlowDown", http_status_code=503)
        stub.add_client_error("list_objects_v2", "AccessDenied", http_status_code=403)
        with pytest.raises(S3Unavailable):
            require_artifacts(aws.s3, f"s3://{BUCKET}/incoming/m/", None)
        with pytest.raises(AwsCallFailed, match="AccessDenied"):
            require_artifacts(aws.s3, f"s3://{BUCKET}/incoming/m/", None)
