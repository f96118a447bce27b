"""Bedrock's CreateCustomModel constraints, as model_import.bedrock_rules encodes them."""

import pytest

from model_import import bedrock_rules as rules


@pytest.mark.parametrize("name", ["a", "m1", "my-model", "my_model", "a-b_c-d", "A" * 63, "x-" * 31 + "y"])
def test_names_bedrock_accepts_are_valid(name):
    assert rules.is_valid_model_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "A" * 64,
        "-leading",
        "_leading",
        "trailing-",
        "trailing_",
        "double--dash",
        "mixed-_separators",
        "has space",
        "dot.ted",
        "slash/name",
        "ünïcode",
        None,
        42,
    ],
)
def test_names_bedrock_refuses_are_invalid(name):
    assert not rules.is_valid_model_name(name)


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("my model", "my-model"),
        ("--my--model--", "my-model"),
        ("a" * 70, "a" * 63),
        ("a" * 62 + "-b", "a" * 62),
        ("model.v1+final", "model-v1-final"),
        ("!!!", "imported-model"),
        ("", "imported-model"),
    ],
)
def test_suggested_names_are_valid_and_close(name, suggested):
    assert rules.suggest_model_name(name) == suggested
    assert rules.is_valid_model_name(rules.suggest_model_name(name))


@pytest.mark.parametrize(
    "uri",
    [
        "s3://model-import-sandbox/incoming/my-model/",
        "s3://model-import-sandbox/incoming/my-model",
        "s3://customer-escrow-123456789012-smtj-abc123/job-name/step_100",
        "s3://abc",
        "s3://a.b-c/x/(y)/'z'/*!/",
    ],
)
def test_uris_matching_bedrocks_pattern_are_valid(uri):
    assert rules.is_valid_s3_uri(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "https://model-import-sandbox.s3.amazonaws.com/incoming/m/",
        "S3://model-import-sandbox/x/",
        "s3://UpperCase/x/",
        "s3://ab/x/",  # bucket too short
        "s3://-bucket/x/",
        "s3://bucket-/x/",
        "s3://" + "b" * 64 + "/x/",
        "s3://bucket/with space/",
        "s3://bucket/with+plus/",
        "s3://bucket/a//b/",
        "s3://bucket/" + "a" * 1020,
        None,
    ],
)
def test_uris_breaking_bedrocks_pattern_are_invalid(uri):
    assert not rules.is_valid_s3_uri(uri)


@pytest.mark.parametrize("token", ["a", "0" * 64, "a-b", "A" * 256])
def test_tokens_matching_pattern_are_valid(token):
    assert rules.is_valid_token(token)


@pytest.mark.parametrize("token", ["", "-a", "a-", "a_b", "A" * 257])
def test_tokens_breaking_pattern_are_invalid(token):
    assert not rules.is_valid_token(token)


@pytest.mark.parametrize(
    ("key", "value"),
    [("team", "ml-platform"), ("k" * 128, "v" * 256), ("a b.c_d:e/f=g+h@i-j", ""), ("tab\there", "new\nline")],
)
def test_tags_within_limits_have_no_problem(key, value):
    assert rules.tag_problem(key, value) is None


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("", "v", "must be 1-128 characters (has 0)"),
        ("k" * 129, "v", "must be 1-128 characters (has 129)"),
        ("k", "v" * 257, "value must be at most 256 characters (has 257)"),
        ("bad#key", "v", "may only contain letters, digits, spaces"),
        ("k", "bad,value", "value 'bad,value' may only contain"),
        ("k", None, "keys and values must be strings"),
        ("k", 3, "keys and values must be strings"),
        ("caf\u00e9", "v", "may only contain"),
        # Bedrock's \s is Java's: ASCII whitespace only. A no-break space is refused.
        ("k", "a\u00a0b", "may only contain"),
        ("k\u2003", "v", "may only contain"),
    ],
)
def test_tags_breaking_limits_name_the_problem(key, value, words):
    assert words in rules.tag_problem(key, value)
