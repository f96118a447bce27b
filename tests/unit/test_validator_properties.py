"""Property tests of the validator: whatever arrives, the result is an import request that Bedrock
accepts, or ImportRejected; nothing else escapes."""

from __future__ import annotations

import json
import os
import re
from urllib.parse import unquote_plus

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from model_import import bedrock_rules as rules
from model_import.errors import ImportRejected
from model_import.settings import ValidateSettings
from model_import.sources import check_source_uri
from model_import.validation import validate
from tests.support import ACCOUNT_ID, ALLOWED_PREFIX, BUCKET, ESCROW_URI, VALIDATE_ENV, execution_arn, s3_event

SETTINGS = ValidateSettings.from_env(VALIDATE_ENV)
# CI replays the same examples every run (derandomize); local runs explore new ones each time.
PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Bedrock's tag pattern with Java's \s (ASCII whitespace only), written out independently.
JAVA_TAG = re.compile(r"[a-zA-Z0-9 \t\n\x0b\f\r._:/=+@-]*")

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)

# Mostly-valid values (so that acceptance is exercised too) mixed with the characters that matter
# to keys, names, URIs and tags, and with anything at all.
good_names = st.from_regex(r"[a-zA-Z0-9]{1,3}([_-][a-zA-Z0-9]{1,4}){0,5}", fullmatch=True)
TRICKY = st.sampled_from(
    list("aZ09-_./+=% ~!*'()")
    + ["..", "%20", "%2F", "%C3%A9", "é", "日本", "\u00a0", "\t", "manifest.json", "incoming/"]
)
segments = st.lists(TRICKY | st.text(min_size=1, max_size=6), min_size=0, max_size=8).map("".join)
folders = good_names | segments | st.text(max_size=70)
keys = st.one_of(
    good_names.map(lambda name: f"incoming/{name}/manifest.json"),
    folders.map(lambda folder: f"incoming/{folder}/manifest.json"),
    st.builds(lambda a, b: f"{a}/{b}", folders, folders),
    st.text(max_size=80),
)
good_paths = st.lists(st.from_regex(r"[-!_*'().a-zA-Z0-9]{1,8}", fullmatch=True), min_size=1, max_size=3).map("/".join)
uris = st.one_of(
    good_paths.map(lambda path: f"s3://customer-escrow-{ACCOUNT_ID}-smtj-{path}/"),
    st.just(f"s3://{BUCKET}/incoming/has-artifacts/"),
    good_paths.map(lambda path: f"{ALLOWED_PREFIX}{path}"),
    segments.map(lambda path: f"s3://{BUCKET}/incoming/{path}"),
    segments.map(lambda path: f"s3://customer-escrow-{ACCOUNT_ID}-smtj-{path}"),
    segments.map(lambda path: f"s3://{path}"),
    st.sampled_from(["https://x.example/m/", "s3://", "s3:///x", ESCROW_URI, ESCROW_URI + "../", ""]),
    st.text(max_size=40),
)
# The service model's tag pattern read with Python's \s, which also matches Unicode whitespace.
tag_text = st.from_regex(r"[a-zA-Z0-9\s._:/=+@-]{1,12}", fullmatch=True) | TRICKY | st.text(max_size=10)
tag_maps = st.dictionaries(tag_text, tag_text | json_scalars, max_size=6)
manifests = st.fixed_dictionaries(
    {},
    optional={
        "checkpoint_s3_bucket": uris | json_scalars,
        "modelName": folders | json_scalars,
        "tags": tag_maps | json_values,
        "unknown": json_values,
    },
)
trigger_bodies = st.one_of(
    manifests.map(lambda m: json.dumps(m).encode("utf-8")),
    json_values.map(lambda v: json.dumps(v).encode("utf-8")),
    st.binary(max_size=200),
    st.sampled_from([b"", b"   ", b"\xef\xbb\xbf{}", b"{", b"[]", b"null"]),
)
manual_inputs = st.one_of(
    st.fixed_dictionaries({"sourceUri": uris, "modelName": good_names}, optional={"tags": tag_maps}),
    st.fixed_dictionaries(
        {"sourceUri": uris | json_scalars, "modelName": folders | json_scalars},
        optional={"tags": tag_maps | json_values, "extra": json_scalars},
    ),
    st.fixed_dictionaries(
        {"bucket": st.just(BUCKET) | json_scalars, "key": keys | json_scalars}, optional={"extra": json_scalars}
    ),
)


def _stageable(key: str) -> bool:
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        return False
    return 0 < size <= 1024 and not {".", ".."} & set(key.split("/"))


@pytest.fixture
def s3(aws):
    aws.put("incoming/has-artifacts/model.safetensors", b"weights")
    return aws.s3


def _check_outcome(event, s3, arn=execution_arn("prop")):
    """validate() either returns a request Bedrock accepts, or raises ImportRejected."""
    try:
        result = validate(event, arn, SETTINGS, s3)
    except ImportRejected as rejected:
        assert str(rejected), "a rejection always has a reason"
        return None
    request = result.request
    assert rules.is_valid_model_name(request.model_name)
    assert rules.MODEL_NAME_RE.fullmatch(request.model_name) and len(request.model_name) <= 63
    assert rules.is_valid_s3_uri(request.source_uri)
    assert check_source_uri(request.source_uri, SETTINGS, "recheck") == request.source_uri
    assert rules.is_valid_token(request.client_request_token)
    assert len(request.tags) <= rules.MAX_TAGS
    for key, value in request.tags.items():
        assert 1 <= len(key) <= 128 and JAVA_TAG.fullmatch(key), key
        assert len(value) <= 256 and JAVA_TAG.fullmatch(value), value
    json.dumps(request.to_dict())
    return request


@PROPERTY_SETTINGS
@given(event=json_values | manual_inputs)
def test_arbitrary_json_inputs_give_a_valid_request_or_a_rejection(event, s3):
    _check_outcome(event, s3)


@PROPERTY_SETTINGS
@given(
    key=keys,
    bucket=st.sampled_from([BUCKET, BUCKET, BUCKET, "other-bucket"]) | st.text(max_size=12),
    version=st.sampled_from([None, None, None, "no-such-version"]) | st.text(max_size=8),
    staged=st.sampled_from([None, "as-is", "as-is", "decoded"]),
)
def test_arbitrary_event_keys_give_a_valid_request_or_a_rejection(key, bucket, version, staged, s3):
    if staged and _stageable(key):  # the upload really happened (as the event says, or URL-decoded)
        stored = unquote_plus(key) if staged == "decoded" and _stageable(unquote_plus(key)) else key
        s3.put_object(Bucket=BUCKET, Key=stored, Body=b"{}")
        s3.put_object(Bucket=BUCKET, Key=stored.rsplit("/", 1)[0] + "/weights.bin", Body=b"w")
    _check_outcome(s3_event(key, bucket=bucket, version_id=version), s3)


@PROPERTY_SETTINGS
@given(folder=folders, body=trigger_bodies)
def test_arbitrary_trigger_files_give_a_valid_request_or_a_rejection(folder, body, s3):
    key = f"incoming/{folder}/manifest.json"
    assume(_stageable(key))
    s3.put_object(Bucket=BUCKET, Key=f"incoming/{folder}/weights.bin", Body=b"w")
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    _check_outcome(s3_event(key), s3)


@PROPERTY_SETTINGS
@given(manifest=manifests)
def test_the_token_is_stable_for_one_upload_whichever_execution_reads_it(manifest, s3):
    key = "incoming/has-artifacts/manifest.json"
    version = s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(manifest).encode())["VersionId"]
    event = s3_event(key, version_id=version)
    first = _check_outcome(event, s3, execution_arn("delivery-1"))
    second = _check_outcome(event, s3, execution_arn("delivery-2"))
    assert (first is None) == (second is None)
    if first is not None:
        assert first.client_request_token == second.client_request_token
        assert (first.model_name, first.source_uri) == (second.model_name, second.source_uri)


@PROPERTY_SETTINGS
@given(name=folders | st.text(max_size=80))
def test_a_name_is_accepted_unchanged_or_rejected_with_a_valid_suggestion(name, s3):
    try:
        request = validate({"sourceUri": ESCROW_URI, "modelName": name}, execution_arn(), SETTINGS, s3).request
    except ImportRejected as rejected:
        suggested = re.search(r"Suggested: '([^']*)'", str(rejected))
        if name:
            assert suggested, str(rejected)
            assert rules.is_valid_model_name(suggested.group(1))
        return
    assert request.model_name == name


@PROPERTY_SETTINGS
@given(tags=st.dictionaries(tag_text, tag_text, max_size=4), name=good_names)
def test_accepted_tags_meet_the_services_own_pattern(tags, name, s3):
    _check_outcome({"sourceUri": ESCROW_URI, "modelName": name, "tags": tags}, s3)
