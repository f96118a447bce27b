"""Bedrock's import quotas, as the workflow explains them to the user."""

from __future__ import annotations

from typing import Any


def queued_too_long(slot: dict[str, Any]) -> str:
    """The TIMED_OUT reason of an import that never got one of MaxConcurrentImports slots."""
    minutes = int(slot.get("waitedSeconds", 0)) // 60
    return (
        f"no import slot came free in {minutes} minutes: all {slot.get('limit')} (MaxConcurrentImports) stayed taken "
        f"by earlier imports, and this one was still number {slot.get('position')} in the queue; no model was created. "
        "Upload the trigger file again later, or raise the stack's ImportTimeoutMinutes "
        "(or MaxConcurrentImports, once the account's Bedrock import quota allows it)"
    )
