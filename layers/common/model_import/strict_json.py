"""JSON as untrusted input: one parse that refuses what json.loads lets through or crashes on.

json.loads alone lets the last of two equal keys win silently, reads NaN and Infinity (not JSON),
raises ValueError (not JSONDecodeError) on an integer of more than 4,300 digits, and raises
RecursionError on deep nesting. Each becomes StrictJsonError with one readable sentence.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # far beyond any manifest or execution input (the S3 event nests 4 deep)
MAX_NUMBER_DIGITS = 100
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class StrictJsonError(ValueError):
    """Why a text is not acceptable JSON (a phrase: 'not valid JSON (...)', 'nested too deeply (...)')."""


class _Refused(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def too_deep(text: str, max_depth: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects in `text` nest more than `max_depth` deep (strings' contents
    ignored). Iterative, so it cannot overflow the stack the way a recursive parser does."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > max_depth:
            return True
    return False


def value_too_deep(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Whether lists and dicts nest more than `max_depth` deep in an already parsed value (iterative)."""
    pending = [(value, 1)] if isinstance(value, (dict, list)) else []
    while pending:
        item, depth = pending.pop()
        if depth > max_depth:
            return True
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"has the key {json.dumps(key)[:80]} twice; give each key once")
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise _Refused(f"is not valid JSON ({name} is not a JSON number)")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _Refused(f"is not acceptable JSON (a number of {len(text.lstrip('-'))} digits; at most {MAX_NUMBER_DIGITS})")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS * 2:
        raise _Refused(f"is not acceptable JSON (a number of {len(text)} characters; at most {MAX_NUMBER_DIGITS * 2})")
    return float(text)


def decode_error(err: json.JSONDecodeError) -> str:
    """'Expecting value at line 1 column 2': json's own message, without its doubled 'at'
    (its "Invalid control character at" already ends in one)."""
    return f"{err.msg.removesuffix(' at')} at line {err.lineno} column {err.colno}"


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """The parsed value, or StrictJsonError whose message completes 'the file ...'."""
    if too_deep(text, max_depth):
        raise StrictJsonError(f"is nested too deeply (more than {max_depth} levels of arrays and objects)")
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant, parse_int=_integer, parse_float=_float)
    except _Refused as refused:
        raise StrictJsonError(refused.problem) from None
    except json.JSONDecodeError as err:
        raise StrictJsonError(f"is not valid JSON ({decode_error(err)})") from None
    except RecursionError:  # unreachable after the depth check; kept so no input can crash the caller
        raise StrictJsonError(f"is nested too deeply (more than {max_depth} levels of arrays and objects)") from None
