"""Model tags: defaults, the request's own, and provenance, merged and checked against Bedrock."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from model_import import bedrock_rules as rules
from model_import.errors import ImportRejected
from model_import.text import a_json_type, shorten

PROVENANCE_PREFIX = "model-import:"
_UNSAFE_VALUE_CHARS = re.compile(r"[^a-zA-Z0-9\s._:/=+@-]", re.ASCII)


def provenance_value(text: str) -> str:
    """A tag-safe rendering of a URI or key: disallowed characters become '_', long ones are cut."""
    safe = _UNSAFE_VALUE_CHARS.sub("_", text)
    return shorten(safe, rules.TAG_VALUE_MAX)


def check_user_tags(tags: Any, origin: str) -> dict[str, str]:
    """The tags as given, or ImportRejected naming the first problem."""
    if not isinstance(tags, Mapping):
        raise ImportRejected(f'{origin}: "tags" must be a JSON object of string keys to string values, got {a_json_type(tags)}')
    for key, value in tags.items():
        problem = rules.tag_problem(key, value)
        if problem:
            raise ImportRejected(f"{origin}: {problem}")
        if key.startswith(PROVENANCE_PREFIX):
            raise ImportRejected(f"{origin}: tag key {key!r}: the prefix {PROVENANCE_PREFIX!r} is reserved for provenance tags")
    return dict(tags)


def merge_tags(defaults: Mapping[str, str], requested: Mapping[str, str], provenance: Mapping[str, str]) -> dict[str, str]:
    """Defaults, overridden by the request's tags, then the provenance tags; at most 50 in all."""
    merged = {**defaults, **requested, **provenance}
    if len(merged) > rules.MAX_TAGS:
        allowed = rules.MAX_TAGS - len(provenance)
        raise ImportRejected(
            f"too many tags: {len(merged)} after merging the stack's DefaultTags and the request's tags with "
            f"{len(provenance)} provenance tags; Bedrock allows {rules.MAX_TAGS} per model, so give at most "
            f"{allowed} of your own (DefaultTags included)"
        )
    return merged
