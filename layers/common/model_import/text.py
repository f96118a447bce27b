"""How reasons and attribute values show what they quote: one rule each, used everywhere."""

from __future__ import annotations

from typing import Any

_JSON_TYPES = {list: "array", str: "string", bool: "boolean", int: "number", float: "number", type(None): "null"}


def shorten(text: str, limit: int) -> str:
    """`text`, or its first `limit` - 3 characters and '...' when it is longer than `limit`."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type: 'array', 'string', 'number', 'boolean', 'null'."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def a_json_type(value: Any) -> str:
    """'a JSON array', 'a JSON string', ..., 'null' (for a reason such as "..., got a JSON array")."""
    if type(value) not in _JSON_TYPES:
        return type(value).__name__
    return "null" if value is None else f"a JSON {json_type(value)}"
