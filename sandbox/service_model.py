"""Request validation against AWS's own service model (botocore's JSON, read at run time).

The emulator serves an operation by validating its request the way the service does before
any business logic: required members, types, string and list lengths, numeric ranges,
patterns (java_regex: Java semantics, whole value), enums, nested structures, lists and maps,
and unions (exactly one member set). Every violation is listed in one ValidationException,
in the service's words:

    1 validation error detected: Value 'a b' at 'modelName' failed to satisfy constraint:
    Member must satisfy regular expression pattern: ([0-9a-zA-Z][_-]?){1,63}

Nothing here is specific to one operation: an operation added to the emulator later is
validated from its shapes alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import unquote

from sandbox.java_regex import full_match


@cache
def service_model(service: str = "bedrock") -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def input_shape(operation: str, service: str = "bedrock") -> Any:
    return service_model(service).operation_model(operation).input_shape


def request_params(
    operation: str,
    body: Any = None,
    uri: Mapping[str, Any] | None = None,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, Any] | None = None,
    service: str = "bedrock",
) -> dict[str, Any]:
    """The operation's input as the service sees it: each member read from where its
    serialization puts it (URI label, query string, header, or the JSON body). Text from
    the URI, query and headers is converted to the member's type when it reads as one;
    otherwise it is left as text so that validation names it."""
    shape = input_shape(operation, service)
    if shape is None:
        return {}
    if isinstance(body, (bytes, str)):
        body = json.loads(body or "{}")
    body = body or {}
    params: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri":
            value = (uri or {}).get(wire)
            if value is not None:
                params[name] = _from_text(member, unquote(str(value)))
        elif location == "querystring":
            value = (query or {}).get(wire)
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            if member.type_name == "list":
                params[name] = [_from_text(member.member, v) for v in values]
            else:
                params[name] = _from_text(member, values[0])
        elif location == "header":
            value = _header(headers or {}, wire)
            if value is not None:
                params[name] = _from_text(member, value)
        elif location is None and isinstance(body, dict) and wire in body:
            params[name] = body[wire]
    return params


def _header(headers: Mapping[str, Any], name: str) -> Any:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _from_text(shape: Any, text: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        return text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def violations(operation: str, params: Mapping[str, Any], service: str = "bedrock") -> list[str]:
    """Every way the request breaks the operation's input shape, in the service's words."""
    shape = input_shape(operation, service)
    if shape is None:
        return []
    problems: list[str] = []
    _check_structure(shape, params, "", problems)
    return problems


def validation_message(problems: list[str]) -> str:
    count = len(problems)
    return f"{count} validation error{'' if count == 1 else 's'} detected: " + "; ".join(problems)


def _at(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


def _shown(value: Any) -> str:
    """A value as the service quotes it (Java's toString: null, text, [a, b], {k=v})."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def _fail(problems: list[str], value: Any, path: str, constraint: str) -> None:
    quoted = "null" if value is None else f"'{_shown(value)}'"
    problems.append(f"Value {quoted} at '{path}' failed to satisfy constraint: {constraint}")


def _check(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    checker = _CHECKERS.get(kind)
    if checker is not None:
        checker(shape, value, path, problems)


def _check_structure(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, Mapping):
        _fail(problems, value, path, "Member must be a structure")
        return
    for name in shape.required_members:
        if value.get(name) is None:
            _fail(problems, None, _at(path, name), "Member must not be null")
    present = [name for name in shape.members if value.get(name) is not None]
    if shape.metadata.get("union") and len(present) != 1:
        # Smithy unions: exactly one member set (API reference: "This data type is a UNION, so
        # only one of the following members can be specified").
        members = ", ".join(shape.members)
        _fail(problems, value, path, f"Member must have exactly one of the following members set: [{members}]")
    for name in present:
        _check(shape.members[name], value[name], _at(path, name), problems)


def _check_list(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, list):
        _fail(problems, value, path, "Member must be a list")
        return
    _check_length(shape, value, len(value), path, problems)
    for index, item in enumerate(value, start=1):
        item_path = f"{path}.{index}.member"
        if item is None:
            _fail(problems, None, item_path, "Member must not be null")
        else:
            _check(shape.member, item, item_path, problems)


def _check_map(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, Mapping):
        _fail(problems, value, path, "Member must be a map")
        return
    _check_length(shape, value, len(value), path, problems)
    for key, item in value.items():
        _check(shape.key, key, f"{path}.{key}.key", problems)
        if item is None:
            _fail(problems, None, f"{path}.{key}.value", "Member must not be null")
        else:
            _check(shape.value, item, f"{path}.{key}.value", problems)


def _check_string(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, str):
        _fail(problems, value, path, "Member must be a string")
        return
    # Java counts UTF-16 code units: a character outside the BMP counts twice against a maximum.
    _check_length(shape, value, len(value), path, problems, upper=len(value.encode("utf-16-le")) // 2)
    enum = shape.metadata.get("enum")
    if enum and value not in enum:
        _fail(problems, value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
    pattern = shape.metadata.get("pattern")
    if pattern is not None and not full_match(pattern, value):
        _fail(problems, value, path, f"Member must satisfy regular expression pattern: {pattern}")


def _check_length(shape: Any, value: Any, length: int, path: str, problems: list[str], upper: int | None = None) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and length < low:
        _fail(problems, value, path, f"Member must have length greater than or equal to {low}")
    if high is not None and (length if upper is None else upper) > high:
        _fail(problems, value, path, f"Member must have length less than or equal to {high}")


def _check_number(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    integral = shape.type_name in ("integer", "long")
    if isinstance(value, bool) or not isinstance(value, int if integral else (int, float)):
        _fail(problems, value, path, f"Member must be {'an integer' if integral else 'a number'}")
        return
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        _fail(problems, value, path, f"Member must have value greater than or equal to {low}")
    if high is not None and value > high:
        _fail(problems, value, path, f"Member must have value less than or equal to {high}")


def _check_boolean(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, bool):
        _fail(problems, value, path, "Member must be a boolean")


def _check_timestamp(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        _fail(problems, value, path, "Member must be a timestamp")
        return
    if isinstance(value, str):
        from datetime import datetime

        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            _fail(problems, value, path, "Member must be a timestamp")


def _check_blob(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, (str, bytes)):
        _fail(problems, value, path, "Member must be a blob")


_CHECKERS = {
    "structure": _check_structure,
    "list": _check_list,
    "map": _check_map,
    "string": _check_string,
    "integer": _check_number,
    "long": _check_number,
    "float": _check_number,
    "double": _check_number,
    "boolean": _check_boolean,
    "timestamp": _check_timestamp,
    "blob": _check_blob,
}
