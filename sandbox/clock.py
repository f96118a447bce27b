"""Compressed time: Wait states and Retry backoff sleep `scale` of the time the ASL asks for.

The ASL is untouched (the deployed definition still says 60 s), the history and the handlers
see the same values as on AWS; only the real sleeping is shorter. With the default scale a
minute of waiting takes 10 ms. Task timeouts (TimeoutSeconds) are not compressed: they bound
real work, which runs at full speed.
"""

from __future__ import annotations

import threading
import time
from typing import Any

DEFAULT_SCALE = 1 / 6000  # one minute -> 10 ms


class Clock:
    def __init__(self, scale: float = DEFAULT_SCALE) -> None:
        if not 0 < scale <= 1:
            raise ValueError(f"time scale must be in (0, 1], got {scale}")
        self.scale = scale
        self._lock = threading.Lock()
        self.waited_seconds = 0.0  # emulated seconds spent in Wait states, all executions
        self.backoff_seconds = 0.0  # emulated seconds spent in Retry backoff, all executions

    def _add(self, attribute: str, seconds: float) -> None:
        with self._lock:
            setattr(self, attribute, getattr(self, attribute) + seconds)

    def install(self, patcher: Any) -> None:
        from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
        from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

        clock = self

        def _wait_interval(component: Any, env: Any, wait_seconds: int) -> None:
            if wait_seconds <= 0:
                return
            clock._add("waited_seconds", wait_seconds)
            deadline = time.monotonic() + wait_seconds * clock.scale
            while env.is_running():  # a stopped execution ends its wait at once, as on AWS
                remaining = deadline - time.monotonic()
                if remaining <= 0 or env.program_state_event.wait(remaining):
                    return

        class _ScaledTime:
            """Stands in for the `time` module inside moto's Retry implementation."""

            def __getattr__(self, name: str) -> Any:
                return getattr(time, name)

            @staticmethod
            def sleep(seconds: float) -> None:
                clock._add("backoff_seconds", seconds)
                time.sleep(seconds * clock.scale)

        patcher.setattr(WaitFunction, "_wait_interval", _wait_interval)
        patcher.setattr(retrier_decl, "time", _ScaledTime())
