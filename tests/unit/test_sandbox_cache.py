"""The sandbox's disk cache is shared by concurrent processes (pytest-xdist workers): writers racing
on one entry never leave a reader a partial entry."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from sandbox import cache

VALUE = {"payload": "x" * 200_000, "numbers": list(range(20_000))}


def _writer_and_reader(folder: str, rounds: int) -> list[str]:
    import os

    os.environ["SANDBOX_CACHE_DIR"] = folder
    seen = []
    for _ in range(rounds):
        cache.store("data", "shared", VALUE)
        loaded = cache.load("data", "shared")
        seen.append("whole" if loaded == VALUE else "missing" if loaded is None else "partial")
    return seen


def test_concurrent_writers_of_one_entry_leave_readers_whole_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context = multiprocessing.get_context("fork")  # a copy of this process: no re-import
    with context.Pool(3) as pool:
        results = pool.starmap(_writer_and_reader, [(str(tmp_path), 25)] * 3)
    assert all(state == "whole" for seen in results for state in seen)
    assert [p.name for p in tmp_path.iterdir()] == ["data-shared.pickle"]  # no temporary file left behind
