"""JSON as untrusted input: one parse that refuses what json.loads lets through or crashes on.

json.loads alone lets the last of two equal keys win silently, reads NaN and Infinity (not JSON),
raises ValueError (not JSONDecodeError) on an integer of more than 4,300 digits, and raises
RecursionError on deep nesting (or, below that, returns a value deep enough to crash what walks it
recursively). Each becomes StrictJsonError with one readable sentence.

Cost: the C parser does the work; Python runs only once per object (the duplicate check) and on the
parsed value's containers (the depth check). A 1 MiB file takes well under a second.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # far beyond any manifest or execution input (the S3 event nests 4 deep)
TOO_DEEP = f"is nested too deeply (more than {MAX_DEPTH} levels of arrays and objects)"


class StrictJsonError(ValueError):
    """Why a text is not acceptable JSON (a phrase: 'not valid JSON (...)', 'nested too deeply (...)')."""


class _Refused(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def value_too_deep(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Whether lists and dicts nest more than `max_depth` deep in an already parsed value
    (level by level, so it cannot overflow the stack the way a recursive walk does)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return True
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, (dict, list))
        ]
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


def decode_error(err: json.JSONDecodeError) -> str:
    """'Expecting value at line 1 column 2': json's own message, without its doubled 'at'
    (its "Invalid control character at" already ends in one)."""
    return f"{err.msg.removesuffix(' at')} at line {err.lineno} column {err.colno}"


def loads(text: str) -> Any:
    """The parsed value, or StrictJsonError whose message completes 'the file ...'."""
    try:
        value = json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except _Refused as refused:
        raise StrictJsonError(refused.problem) from None
    except json.JSONDecodeError as err:
        raise StrictJsonError(f"is not valid JSON ({decode_error(err)})") from None
    except RecursionError:  # the C parser's own guard, past ~1,000 levels: it unwinds cleanly
        raise StrictJsonError(TOO_DEEP) from None
    except ValueError as err:  # an integer past Python's 4,300-digit conversion limit
        raise StrictJsonError(f"has a number too long to read ({shorten_message(err)}); no field takes one") from None
    # Counting brackets (in C) first: a text with few of them cannot nest deeply, so the walk,
    # Python-speed per element, runs only for texts full of brackets.
    if text.count("[") + text.count("{") > MAX_DEPTH and value_too_deep(value):
        raise StrictJsonError(TOO_DEEP)
    return value


def shorten_message(err: ValueError) -> str:
    return str(err).split(";")[0].split(":")[-1].strip()  # 'value has 5000 digits'
