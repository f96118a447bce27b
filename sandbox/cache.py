"""A small on-disk cache for the two slow, pure steps of every start: the SAM transform of
template.yaml and the ANTLR parse of the ASL (~0.5 s together on a 2-core machine).

Entries are keyed by a hash of everything that determines them (the file contents, the
parameters, the library versions), so a change to the template, the ASL or a library is a miss
and the sandbox runs exactly what the files say. The cache lives in the virtualenv the Makefile
set up (or ~/.cache when there is none); SANDBOX_CACHE_DIR moves it, SANDBOX_CACHE_DIR=off
turns it off. An unreadable entry is ignored and rebuilt. Concurrent processes (pytest-xdist
workers, several sandboxes) may share it: an entry is written to a temporary file in the same
folder and renamed over the old one (atomic on POSIX), so a reader sees a whole entry or none.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

FORMAT = "1"  # bump when what is cached changes shape


def directory() -> Path | None:
    configured = os.environ.get("SANDBOX_CACHE_DIR")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    if sys.prefix != sys.base_prefix:  # inside a virtualenv: keep it with the rest of the set-up
        return Path(sys.prefix) / ".sandbox-cache"
    return Path.home() / ".cache" / "model-import-sandbox"


def key(*parts: str | bytes) -> str:
    digest = hashlib.sha256(FORMAT.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def load(kind: str, entry: str) -> Any | None:
    folder = directory()
    if folder is None:
        return None
    try:
        with open(folder / f"{kind}-{entry}.pickle", "rb") as stream:
            return pickle.load(stream)
    except Exception:  # noqa: BLE001 - missing, truncated or from another version: rebuild
        return None


def store(kind: str, entry: str, value: Any) -> None:
    folder = directory()
    if folder is None:
        return
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as stream:
            temporary = stream.name
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"{kind}-{entry}.pickle")
    except Exception:  # noqa: BLE001 - a read-only or full disk only costs speed
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
