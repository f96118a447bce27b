"""sandbox.java_regex: AWS's patterns (java.util.regex, whole value) read the Java way in Python."""

from __future__ import annotations

import re

import pytest

from sandbox.java_regex import UnsupportedPattern, compile_java, full_match, translate
from sandbox.service_model import service_model


@pytest.mark.parametrize(
    ("pattern", "accepted", "refused"),
    [
        # Java's \s is [ \t\n\x0B\f\r]: no NBSP, no U+2028, no \x1c (Python's str \s takes all three)
        (r"[a-z\s]*", ["a b", "a\tb", "a\x0bb", "a\rb"], ["a\u00a0b", "a\u2028b", "a\x1cb", "a\u3000b"]),
        # so Java's \S takes them
        (r"[\S]{1,3}", ["\u00a0", "\x1c", "é"], [" ", "\t", ""]),
        (r"\d+", ["0123456789"], ["٣", "１"]),  # Arabic-Indic and fullwidth digits are not Java's \d
        (r"\w+", ["a_Z9"], ["é", "ж"]),
        # '.' stops at every Java line terminator, not only \n
        (r"role/.+", ["role/x", "role/a b"], ["role/a\rb", "role/a\u2028b", "role/a\x85b", "role/a\nb"]),
        (r"\p{L}[\p{L}\p{M}0-9_]*", ["é", "жa_1", "e\u0301"], ["1a", "_", "a-b", "\u0301"]),
        (r"\P{Lu}+", ["abc", "1"], ["aBc"]),
        (r"\p{Punct}+", ["!-_~"], ["a", "«"]),  # POSIX classes are ASCII in Java
        (r"\p{Alnum}+", ["a1Z"], ["é"]),
        (r"a\Q.*\Eb", ["a.*b"], ["axxb"]),
        (r"(?<word>[a-z]+)-\k<word>", ["ab-ab"], ["ab-cd"]),
        (r"[a-z]+\z", ["abc"], ["abc\n"]),
        # whole value, like String.matches: no partial matches
        (r"([0-9a-zA-Z][_-]?){1,63}", ["my-model", "a"], ["bad--name", "-x", "my model"]),
    ],
)
def test_patterns_accept_and_refuse_what_java_does(pattern: str, accepted: list[str], refused: list[str]) -> None:
    for value in accepted:
        assert full_match(pattern, value), (pattern, value)
    for value in refused:
        assert not full_match(pattern, value), (pattern, value)


def test_named_groups_are_translated() -> None:
    assert translate("(?<word>a)") == "(?P<word>a)"
    assert translate("(?<=a)b(?<!c)") == "(?<=a)b(?<!c)"  # lookbehinds stay


@pytest.mark.parametrize(
    "pattern",
    [r"[a-z&&[^aeiou]]", r"[a[b]]", r"abc\Z", r"\G", r"\R", r"\X", r"\p{InGreek}", r"[a-z", r"[\P{L}]", "a\\"],
)
def test_constructs_without_a_faithful_translation_are_refused(pattern: str) -> None:
    with pytest.raises(UnsupportedPattern):
        translate(pattern)


def test_every_pattern_of_the_bedrock_service_model_translates() -> None:
    model = service_model("bedrock")
    patterns = {model.shape_for(name).metadata.get("pattern") for name in model.shape_names} - {None}

    assert len(patterns) > 50
    for pattern in patterns:
        assert isinstance(compile_java(pattern), re.Pattern), pattern
