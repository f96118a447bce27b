"""A progress line on stderr while a listing makes many calls: live on a terminal, and elsewhere
(a pipe, CI) only once the listing turns out slow, then every few seconds."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

SLOW_AFTER = 3.0  # seconds before a non-terminal stderr hears anything
EVERY = 5.0


class Progress:
    def __init__(self, what: str, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.what = what
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.total: int | None = None
        self._started = time.monotonic()
        self._last = 0.0
        self._shown = False
        self._lock = threading.Lock()

    def step(self, count: int = 1, total: int | None = None) -> None:
        with self._lock:
            self.done += count
            if total is not None:
                self.total = total
            now = time.monotonic()
            if not self.enabled:
                return
            if self.tty and now - self._last >= 0.1:
                self._write(f"\r{self._text()}\x1b[K")
            elif not self.tty and now - self._started >= SLOW_AFTER and now - self._last >= EVERY:
                self._write(self._text() + "\n")
            else:
                return
            self._last = now
            self._shown = True

    def finish(self) -> None:
        with self._lock:
            if self.tty and self._shown:
                self._write("\r\x1b[K")

    def _text(self) -> str:
        of = f" of {self.total}" if self.total is not None else ""
        return f"{self.what}: {self.done}{of} ({time.monotonic() - self._started:.0f} s)"

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
