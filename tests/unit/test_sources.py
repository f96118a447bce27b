"""Where a model source may be: CreateCustomModel takes SageMaker's escrow bucket or a model package."""

import pytest

from model_import.errors import ImportRejected
from model_import.kinds import KIND_CHECKPOINT, KIND_OPEN_WEIGHTS
from model_import.sources import check_kms_key, check_model_package_arn, check_source_uri, source_kind, split_s3_uri
from tests.support import (
    ACCOUNT_ID,
    ALLOWED_KMS_KEY_ARN,
    ALLOWED_PREFIX,
    BUCKET,
    ESCROW_URI,
    MODEL_PACKAGE_ARN,
    OTHER_ACCOUNT_ID,
    OTHER_KMS_KEY_ARN,
)

ORIGIN = "the manual input"


@pytest.mark.parametrize(
    "uri",
    [
        ESCROW_URI,
        ESCROW_URI.rstrip("/"),
        f"s3://customer-escrow-{ACCOUNT_ID}-hp-xyz789/run/",
        f"s3://customer-escrow-{ACCOUNT_ID}-smtj-abc123",
    ],
)
def test_escrow_checkpoints_of_this_account_are_accepted_unchanged(uri, validate_settings):
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
        (f"s3://{BUCKET}/other/m/", "is in this stack's artifact bucket but outside its model folders (incoming/<model-name>/)"),
        (f"s3://{BUCKET}/incoming/", "outside its model folders"),
        (
            f"s3://customer-escrow-{OTHER_ACCOUNT_ID}-smtj-abc/job/",
            f"escrow bucket of account {OTHER_ACCOUNT_ID}, not of this account ({ACCOUNT_ID})",
        ),
        ("s3://someone-elses-bucket/model/", "is in a bucket this stack may not read (not under its AllowedSourcePrefixes)"),
        (f"s3://customer-escrow-{ACCOUNT_ID}-xyz-abc/job/", "is not a SageMaker escrow bucket"),
        (f"s3://customer-escrow-{ACCOUNT_ID}x-smtj/job/", "is in a bucket this stack may not read"),
        (f"s3://customer-escrow-{ACCOUNT_ID}-smtj/job/", "is not a SageMaker escrow bucket"),
    ],
)
def test_sources_elsewhere_are_rejected_with_the_reason(uri, words, validate_settings):
    with pytest.raises(ImportRejected) as caught:
        check_source_uri(uri, validate_settings, ORIGIN)
    reason = str(caught.value)
    assert reason.startswith(ORIGIN + ": ")
    assert words in reason


def test_a_source_nowhere_allowed_is_rejected_with_the_ways_that_work(validate_settings):
    with pytest.raises(ImportRejected) as caught:
        check_source_uri("s3://someone-elses-bucket/model/", validate_settings, ORIGIN)
    reason = str(caught.value)
    assert f"s3://customer-escrow-{ACCOUNT_ID}-.../" in reason
    assert '"checkpoint_s3_bucket"' in reason and '"modelPackageArn"' in reason
    assert f"s3://{BUCKET}/incoming/<model-name>/" in reason and "AllowedSourcePrefixes" in reason


@pytest.mark.parametrize(
    ("uri", "kind"),
    [
        (ESCROW_URI, KIND_CHECKPOINT),
        (f"s3://{BUCKET}/incoming/my-model/", KIND_OPEN_WEIGHTS),
        (f"s3://{BUCKET}/incoming/other-model", KIND_OPEN_WEIGHTS),
        (ALLOWED_PREFIX + "team-a/model/", KIND_OPEN_WEIGHTS),
    ],
)
def test_each_allowed_location_has_its_kind(uri, kind, validate_settings):
    assert source_kind(uri, validate_settings, ORIGIN) == kind
    assert check_source_uri(uri, validate_settings, ORIGIN) == uri


def test_split_s3_uri_separates_bucket_and_path():
    assert split_s3_uri("s3://b-b/x/y/") == ("b-b", "x/y/")
    assert split_s3_uri("s3://b-b") == ("b-b", "")


@pytest.mark.parametrize(
    "arn",
    [MODEL_PACKAGE_ARN, f"arn:aws:sagemaker:us-east-1:{ACCOUNT_ID}:model-package/unversioned-package"],
)
def test_model_packages_of_this_account_and_region_are_accepted(arn, validate_settings):
    assert check_model_package_arn(arn, validate_settings, ORIGIN) == arn


@pytest.mark.parametrize(
    ("arn", "words"),
    [
        ("", "must be a non-empty string"),
        (7, "must be a non-empty string, got 7"),
        ("nova-micro-support/3", "is not a SageMaker model package ARN"),
        (f"arn:aws:sagemaker:us-east-1:{ACCOUNT_ID}:model-package-group/nova", "is not a SageMaker model package ARN"),
        (f"arn:aws:sagemaker:us-east-1:{ACCOUNT_ID}:model-package/", "is not a SageMaker model package ARN"),
        (f"arn:aws:sagemaker:us-east-1:{ACCOUNT_ID}:model-package/a b", "is not a SageMaker model package ARN"),
        (f"arn:aws:s3:us-east-1:{ACCOUNT_ID}:model-package/x/1", "is not a SageMaker model package ARN"),
        (f"arn:aws:sagemaker:us-east-1:{OTHER_ACCOUNT_ID}:model-package/x/1", f"is in account {OTHER_ACCOUNT_ID}"),
        (f"arn:aws:sagemaker:eu-west-1:{ACCOUNT_ID}:model-package/x/1", "region eu-west-1"),
    ],
)
def test_other_model_package_arns_are_rejected(arn, words, validate_settings):
    with pytest.raises(ImportRejected) as caught:
        check_model_package_arn(arn, validate_settings, ORIGIN)
    assert words in str(caught.value)


def test_a_kms_key_the_stack_allows_is_accepted(validate_settings):
    assert check_kms_key(ALLOWED_KMS_KEY_ARN, validate_settings, ORIGIN) == ALLOWED_KMS_KEY_ARN


@pytest.mark.parametrize(
    ("arn", "words"),
    [
        (OTHER_KMS_KEY_ARN, "is not one of the stack's AllowedModelKmsKeyArns"),
        ("alias/my-key", "must be a KMS key ARN"),
        (f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:alias/my-key", "not an alias"),
        (5, "must be a KMS key ARN"),
    ],
)
def test_other_kms_keys_are_rejected_naming_the_parameter(arn, words, validate_settings):
    with pytest.raises(ImportRejected) as caught:
        check_kms_key(arn, validate_settings, ORIGIN)
    assert words in str(caught.value)
