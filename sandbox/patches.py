"""Reversible monkeypatches: every moto seam the sandbox uses is set through here and undone
on close (tests/test_sandbox_seams.py checks that each seam still exists in the pinned moto)."""

from __future__ import annotations

from typing import Any

_MISSING = object()


class SeamMissing(Exception):
    """A moto internal the sandbox relies on is gone (moto was upgraded): names the seam."""


class Patcher:
    def __init__(self) -> None:
        self._undo: list[tuple[Any, str, Any]] = []

    def setattr(self, target: Any, name: str, value: Any, must_exist: bool = True) -> None:
        original = target.__dict__.get(name, _MISSING) if hasattr(target, "__dict__") else _MISSING
        if must_exist and original is _MISSING and not hasattr(target, name):
            raise SeamMissing(f"{getattr(target, '__module__', '')}.{getattr(target, '__qualname__', target)}.{name}")
        self._undo.append((target, name, original))
        setattr(target, name, value)

    def restore(self) -> None:
        while self._undo:
            target, name, original = self._undo.pop()
            if original is _MISSING:
                delattr(target, name)
            else:
                setattr(target, name, original)
