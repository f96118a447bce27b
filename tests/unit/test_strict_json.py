"""strict_json: the one parse of untrusted JSON (trigger files, the sandbox's --event/--input)."""

from __future__ import annotations

import json

import pytest

from model_import import strict_json
from model_import.strict_json import MAX_DEPTH, StrictJsonError, loads, value_too_deep


def test_plain_objects_parse_as_json_loads_does() -> None:
    text = '{"modelName": "a", "tags": {"team": "ml"}, "n": [1, 2.5, -3, true, null]}'
    assert loads(text) == json.loads(text)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 5_000, 100_000])
def test_nesting_beyond_the_limit_is_refused_not_a_recursion_error(depth: int) -> None:
    for text in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        with pytest.raises(StrictJsonError, match=rf"^is nested too deeply \(more than {MAX_DEPTH} levels"):
            loads(text)


def test_nesting_up_to_the_limit_parses() -> None:
    assert value_too_deep(loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)) is False


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"note": "[" * 10_000, "escaped": '\\"[[[' * 100})
    assert loads(text)["note"] == "[" * 10_000


def test_a_duplicate_key_is_refused_naming_the_key_at_any_depth() -> None:
    with pytest.raises(StrictJsonError, match=r'^has the key "modelName" twice; give each key once$'):
        loads('{"modelName": "a", "modelName": "b"}')
    with pytest.raises(StrictJsonError, match=r'the key "team" twice'):
        loads('{"tags": {"team": "a", "team": "b"}}')


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    with pytest.raises(StrictJsonError, match=rf"^is not valid JSON \({constant} is not a JSON number\)$"):
        loads(f'{{"x": {constant}}}')


def test_a_number_too_long_to_convert_is_refused_not_a_crash() -> None:
    # json.loads raises ValueError (not JSONDecodeError) past 4,300 digits: an uncaught crash before.
    with pytest.raises(StrictJsonError) as raised:
        loads('{"x": ' + "9" * 5000 + "}")
    assert str(raised.value) == "has a number too long to read (value has 5000 digits); no field takes one"
    assert loads('{"x": 1.' + "0" * 4998 + "}") == {"x": 1.0}  # a long float is still a float


def test_a_pathological_megabyte_parses_in_one_pass_without_walking_flat_arrays() -> None:
    assert len(loads("[" + ",".join(["1"] * 500_000) + "]")) == 500_000
    assert len(loads("[" + ",".join(["{}"] * 300_000) + "]")) == 300_000


def test_invalid_json_names_the_place_without_a_doubled_word() -> None:
    with pytest.raises(StrictJsonError) as raised:
        loads('{"a": "x\u0001"}')
    assert str(raised.value) == "is not valid JSON (Invalid control character at line 1 column 9)"
    with pytest.raises(StrictJsonError, match=r"^is not valid JSON \(Expecting value at line 1 column 7\)$"):
        loads('{"a": }')


def test_every_refusal_is_a_value_error_subclass_for_callers_that_catch_broadly() -> None:
    assert issubclass(strict_json.StrictJsonError, ValueError)
