"""Model tags: DefaultTags, the request's tags and provenance, merged within Bedrock's limits."""

import pytest

from model_import.errors import ImportRejected
from model_import.tags import PROVENANCE_PREFIX, check_user_tags, merge_tags, provenance_value


def test_valid_user_tags_are_kept_as_given():
    assert check_user_tags({"team": "ml", "empty": ""}, "origin") == {"team": "ml", "empty": ""}


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        ([], 'origin: "tags" must be a JSON object of string keys to string values, got a JSON array'),
        ("a=b", 'origin: "tags" must be a JSON object of string keys to string values, got a JSON string'),
        ({"k": 1}, "origin: tag 'k': keys and values must be strings"),
        ({"k": None}, "origin: tag 'k': keys and values must be strings"),
        ({"bad!": "v"}, "origin: tag key 'bad!': may only contain letters, digits, spaces and . _ : / = + @ -"),
        ({"k": "v" * 257}, "origin: tag 'k': value must be at most 256 characters (has 257)"),
        ({"k" * 129: "v"}, f"origin: tag key {'k' * 40!r}: must be 1-128 characters (has 129)"),
        (
            {"model-import:source-uri": "x"},
            "origin: tag key 'model-import:source-uri': the prefix 'model-import:' is reserved for provenance tags",
        ),
    ],
)
def test_bad_user_tags_are_rejected_naming_the_first_problem(tags, reason):
    with pytest.raises(ImportRejected) as caught:
        check_user_tags(tags, "origin")
    assert str(caught.value) == reason


def test_request_tags_override_defaults_and_provenance_overrides_both():
    merged = merge_tags({"team": "a", "env": "dev"}, {"team": "b"}, {PROVENANCE_PREFIX + "execution": "run"})
    assert merged == {"team": "b", "env": "dev", PROVENANCE_PREFIX + "execution": "run"}


def test_fifty_tags_in_all_are_accepted():
    provenance = {f"{PROVENANCE_PREFIX}{i}": "v" for i in range(3)}
    assert len(merge_tags({}, {f"k{i}": "v" for i in range(47)}, provenance)) == 50


def test_fifty_one_tags_are_rejected_saying_how_many_are_allowed():
    provenance = {f"{PROVENANCE_PREFIX}{i}": "v" for i in range(3)}
    with pytest.raises(ImportRejected) as caught:
        merge_tags({"team": "a"}, {f"k{i}": "v" for i in range(47)}, provenance)
    reason = str(caught.value)
    assert "too many tags: 51" in reason
    assert "Bedrock allows 50 per model, so give at most 47 of your own (DefaultTags included)" in reason


def test_overridden_defaults_do_not_count_twice():
    provenance = {f"{PROVENANCE_PREFIX}{i}": "v" for i in range(3)}
    tags = {f"k{i}": "v" for i in range(47)}
    assert len(merge_tags({"k0": "default"}, tags, provenance)) == 50


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("s3://bucket/incoming/my-model/", "s3://bucket/incoming/my-model/"),
        ("incoming/my model/manifest.json", "incoming/my model/manifest.json"),
        ("incoming/caf\u00e9,x\u00a0y/manifest.json", "incoming/caf_,x_y/manifest.json".replace(",", "_")),
        ("a" * 300, "a" * 253 + "..."),
    ],
)
def test_provenance_values_always_meet_bedrocks_tag_rules(text, value):
    from model_import.bedrock_rules import tag_problem

    assert provenance_value(text) == value
    assert tag_problem(PROVENANCE_PREFIX + "trigger", provenance_value(text)) is None
