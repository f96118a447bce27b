"""model_import.bedrock_rules against AWS's data: each constant is checked against the shape of
botocore's Bedrock service model it mirrors, and each validator accepts nothing the service
(its pattern read the Java way, sandbox.java_regex) would refuse. Where the workflow is
deliberately stricter, the test says so and proves it is stricter, never looser."""

from __future__ import annotations

import re
import string

import botocore.session
import pytest
from hypothesis import given, settings, strategies as st

from model_import import bedrock_rules as rules
from sandbox import bedrock_contract
from sandbox.java_regex import full_match, translate

MODEL = botocore.session.get_session().get_service_model("bedrock")
CREATE = MODEL.operation_model("CreateCustomModel").input_shape


def _shape(*path: str):
    shape = CREATE
    for part in path:
        shape = shape.member if part == "member" else shape.members[part]
    return shape


NAME = _shape("modelName")
S3_URI = _shape("modelSourceConfig", "s3DataSource", "s3Uri")
ROLE = _shape("roleArn")
KMS = _shape("modelKmsKeyArn")
TAGS = _shape("modelTags")
TAG_KEY = _shape("modelTags", "member", "key")
TAG_VALUE = _shape("modelTags", "member", "value")
TOKEN = _shape("clientRequestToken")
PACKAGE_ARN = _shape("customModelDataSource", "modelPackageArnDataSource", "modelPackageArn")
STATUS = MODEL.operation_model("GetCustomModel").output_shape.members["modelStatus"]
PROPERTIES = settings(max_examples=400, deadline=None, derandomize=True)


@pytest.mark.parametrize(
    ("constant", "shape"),
    [
        (rules.MODEL_NAME_RE, NAME),
        (rules.S3_URI_RE, S3_URI),
        (rules.ROLE_ARN_RE, ROLE),
        (rules.KMS_KEY_ARN_RE, KMS),
        (rules.TAG_RE, TAG_KEY),
        (rules.TAG_RE, TAG_VALUE),
        (rules.TOKEN_RE, TOKEN),
        (rules.MODEL_PACKAGE_ARN_RE, PACKAGE_ARN),
    ],
    ids=["model-name", "s3-uri", "role-arn", "kms-key-arn", "tag-key", "tag-value", "token", "model-package-arn"],
)
def test_each_pattern_is_the_service_models(constant: re.Pattern[str], shape) -> None:
    assert constant.pattern == shape.metadata["pattern"]


@pytest.mark.parametrize(
    "constant",
    [rules.MODEL_NAME_RE, rules.S3_URI_RE, rules.KMS_KEY_ARN_RE, rules.TAG_RE, rules.TOKEN_RE],
    ids=["model-name", "s3-uri", "kms-key-arn", "tag", "token"],
)
def test_python_reads_each_pattern_the_way_java_does(constant: re.Pattern[str]) -> None:
    # The Java translation is the pattern itself (no '.', \p, ...), and \s \S \d \w are ASCII as in Java.
    assert translate(constant.pattern) == constant.pattern
    if re.search(r"\\[sSdDwW]", constant.pattern):
        assert constant.flags & re.ASCII


def test_role_arn_pattern_is_only_read_the_java_way_by_the_emulator() -> None:
    # Python's '.' takes '\r', Java's does not: ROLE_ARN_RE, compiled by Python, is looser than AWS.
    # The workflow does not validate role ARNs with it (the role comes from the stack), so this is
    # recorded here rather than relied on.
    assert rules.ROLE_ARN_RE.fullmatch("arn:aws:iam::123456789012:role/a\rb") is not None
    assert not full_match(ROLE.metadata["pattern"], "arn:aws:iam::123456789012:role/a\rb")


def test_model_package_arns_are_deliberately_stricter_unicode_spaces_refused() -> None:
    # Python's (Unicode) \S refuses spaces such as U+00A0 that Java's (ASCII) \S accepts.
    arn = "arn:aws:sagemaker:us-east-1:123456789012:model-package/group\u00a0x/1"
    assert full_match(PACKAGE_ARN.metadata["pattern"], arn) and not rules.is_valid_model_package_arn(arn)
    # the longest ARN SageMaker gives a model package; Bedrock's shape sets no length of its own
    sagemaker = botocore.session.get_session().get_service_model("sagemaker")
    assert rules.MODEL_PACKAGE_ARN_MAX == sagemaker.shape_for("ModelPackageArn").metadata["max"]
    assert "max" not in PACKAGE_ARN.metadata


@PROPERTIES
@given(st.text(alphabet="ab1/-:\u00a0 \u2028\x1cé", max_size=30).map(lambda t: "arn:aws:sagemaker:us-east-1:123456789012:model-package/" + t))
def test_a_model_package_arn_the_workflow_accepts_the_service_accepts(arn: str) -> None:
    if rules.is_valid_model_package_arn(arn):
        assert full_match(PACKAGE_ARN.metadata["pattern"], arn)


def test_lengths_are_the_service_models() -> None:
    assert rules.MODEL_NAME_MAX == NAME.metadata["max"]
    assert rules.S3_URI_MAX == S3_URI.metadata["max"]
    assert rules.TAG_KEY_MAX == TAG_KEY.metadata["max"]
    assert rules.TAG_VALUE_MAX == TAG_VALUE.metadata["max"]
    assert rules.TOKEN_MAX == TOKEN.metadata["max"]


def test_the_tag_limit_is_the_services_50_stricter_than_the_models_200() -> None:
    assert TAGS.metadata["max"] == 200
    assert rules.MAX_TAGS == bedrock_contract.MAX_TAGS == 50 < TAGS.metadata["max"]


def test_statuses_are_the_service_models_enum() -> None:
    assert set(rules.MODEL_STATUSES) == set(STATUS.metadata["enum"])


def test_escrow_bucket_rule_is_the_emulators() -> None:
    assert rules.ESCROW_BUCKET_RE.pattern == bedrock_contract.ESCROW_BUCKET_RE.pattern
    assert rules.ESCROW_BUCKET_RE.flags == bedrock_contract.ESCROW_BUCKET_RE.flags
    for bucket in ("customer-escrow-123456789012-smtj-abc123", "customer-escrow-123456789012-hp-x"):
        assert rules.ESCROW_BUCKET_RE.fullmatch(bucket)
        assert full_match(S3_URI.metadata["pattern"], f"s3://{bucket}/job/")  # and the service's S3 URI shape
    for bucket in ("customer-escrow-123456789012-xyz-a", "customer-escrow-12345-smtj-a", "my-bucket", "customer-escrow-123456789012-smtj-"):
        assert not rules.ESCROW_BUCKET_RE.fullmatch(bucket)


def _service_accepts(shape, value: str) -> bool:
    meta = shape.metadata
    return meta.get("min", 0) <= len(value) <= meta.get("max", 10**9) and full_match(meta["pattern"], value)


NAME_TEXT = st.text(alphabet=string.ascii_letters[:4] + string.digits[:3] + "-_. é", max_size=70)


@PROPERTIES
@given(NAME_TEXT | st.just("a" * 63) | st.just("a-" * 31 + "b"))
def test_a_model_name_the_workflow_accepts_the_service_accepts(name: str) -> None:
    if rules.is_valid_model_name(name):
        assert _service_accepts(NAME, name)


def test_model_names_are_deliberately_stricter_no_trailing_separator() -> None:
    for name in ("trailing-", "trailing_", "a-"):
        assert _service_accepts(NAME, name) and not rules.is_valid_model_name(name)


@PROPERTIES
@given(st.text(alphabet="s3:/abcA-._!*'()é ", max_size=40).map(lambda t: "s3://" + t) | st.text(max_size=20))
def test_an_s3_uri_the_workflow_accepts_the_service_accepts(uri: str) -> None:
    assert rules.is_valid_s3_uri(uri) == _service_accepts(S3_URI, uri)


@PROPERTIES
@given(st.text(alphabet="aZ09-_ é", max_size=260))
def test_a_token_the_workflow_accepts_the_service_accepts(token: str) -> None:
    assert rules.is_valid_token(token) == _service_accepts(TOKEN, token)


@PROPERTIES
@given(st.text(alphabet="aZ0 \t\u00a0\u2028\x1c._:/=+@-;é", max_size=140), st.text(alphabet="a \u00a0\r:;", max_size=260))
def test_a_tag_the_workflow_accepts_the_service_accepts(key: str, value: str) -> None:
    if rules.tag_problem(key, value) is None:
        assert _service_accepts(TAG_KEY, key) and _service_accepts(TAG_VALUE, value)
