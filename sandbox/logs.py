"""Handler output (Powertools logs, EMF metrics) kept out of the sandbox's own output.

While a session is open, sys.stdout (and sys.stderr) is a router: text written by a thread that is running a
handler goes to that session's handler log (and, with echo, to stderr); everything else goes to
the real stdout. The handlers' code is untouched. The router is one object for the process,
because Powertools binds sys.stdout once, when model_import.observability is first imported.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
from collections.abc import Iterator
from typing import Any, TextIO


class HandlerLog:
    """Lines the handlers printed, with the function each came from."""

    def __init__(self, echo: TextIO | None = None, limit: int = 50000) -> None:
        self.lines: list[tuple[str, str]] = []
        self._echo = echo
        self._limit = limit
        self._lock = threading.Lock()

    def write(self, function: str, text: str) -> None:
        with self._lock:
            for line in text.splitlines():
                if line.strip() and len(self.lines) < self._limit:
                    self.lines.append((function, line))
                    if self._echo is not None:
                        self._echo.write(f"[{function}] {line}\n")

    def text(self, function: str | None = None) -> str:
        with self._lock:
            return "\n".join(line for fn, line in self.lines if function in (None, fn))


class StdoutRouter(io.TextIOBase):
    def __init__(self, real: TextIO) -> None:
        self.real = real
        self._local = threading.local()

    @contextlib.contextmanager
    def handler(self, function: str, log: HandlerLog) -> Iterator[None]:
        """Route this thread's output to `log` while `function` runs."""
        previous = getattr(self._local, "target", None)
        self._local.target = (function, log)
        try:
            yield
        finally:
            self._local.target = previous

    def write(self, text: str) -> int:  # type: ignore[override]
        target = getattr(self._local, "target", None)
        if target is None:
            return self.real.write(text)
        target[1].write(target[0], text)
        return len(text)

    def flush(self) -> None:
        if getattr(self._local, "target", None) is None:
            self.real.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.real.isatty()

    def fileno(self) -> int:
        return self.real.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.real, "encoding", "utf-8")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class Routers:
    """sys.stdout and sys.stderr routers, switched together for a handler's thread."""

    def __init__(self) -> None:
        self.stdout = StdoutRouter(sys.stdout)
        self.stderr = StdoutRouter(sys.stderr)

    @contextlib.contextmanager
    def handler(self, function: str, log: HandlerLog) -> Iterator[None]:
        """Route this thread's output to `log` while `function` runs. sys.stdout and sys.stderr
        are (re)pointed at the routers for the duration: a test runner may have swapped them."""
        swapped = []
        for name in ("stdout", "stderr"):
            routed = getattr(self, name)
            current = getattr(sys, name)
            if current is not routed:
                routed.real = current
                setattr(sys, name, routed)
                swapped.append((name, current))
        try:
            with self.stdout.handler(function, log), self.stderr.handler(function, log):
                yield
        finally:
            for name, previous in swapped:
                if getattr(sys, name) is getattr(self, name):
                    setattr(sys, name, previous)


_routers: Routers | None = None


def router() -> Routers:
    """The process's routers, made sys.stdout and sys.stderr (the current ones become their outputs)."""
    global _routers
    if _routers is None:
        _routers = Routers()
    _rebind_stdout_handlers(_routers.stdout)
    for name in ("stdout", "stderr"):
        routed = getattr(_routers, name)
        if getattr(sys, name) is not routed:
            routed.real = getattr(sys, name)
            setattr(sys, name, routed)
    return _routers


def _rebind_stdout_handlers(routed: StdoutRouter) -> None:
    """Logging handlers already writing to stdout (a Powertools Logger created before the session,
    by earlier imports) write through the router instead, so their lines are routed too."""
    stdouts = {id(sys.stdout), id(sys.__stdout__), id(routed.real)}
    loggers = [logging.getLogger()] + [x for x in logging.Logger.manager.loggerDict.values() if isinstance(x, logging.Logger)]
    for logger in loggers:
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler and id(handler.stream) in stdouts and handler.stream is not routed:
                handler.setStream(routed)  # type: ignore[arg-type]


def release() -> None:
    """Give sys.stdout and sys.stderr back; the routers keep forwarding anything bound to them."""
    if _routers is None:
        return
    for name in ("stdout", "stderr"):
        routed = getattr(_routers, name)
        if getattr(sys, name) is routed:
            setattr(sys, name, routed.real)
