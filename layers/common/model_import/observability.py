"""Powertools singletons shared by every step (service name and namespace come from the
template's Globals: POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE).

The Tracer is created on the first invocation, not at import: creating it loads the X-Ray SDK
and botocore (~0.4 s), which would make every handler module several times slower to import
than a minimal Powertools handler (bench/cold_start.py measures this).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()

#: Each step receives the execution's context in its payload; it becomes the correlation id.
CORRELATION_ID_PATH = "execution.arn"


class LazyTracer:
    """`tracer.capture_lambda_handler` with the Powertools Tracer built on first use."""

    def __init__(self) -> None:
        self._tracer: Any = None

    def get(self) -> Any:
        if self._tracer is None:
            from aws_lambda_powertools import Tracer

            self._tracer = Tracer()
        return self._tracer

    def capture_lambda_handler(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        traced: Callable[..., Any] | None = None

        @functools.wraps(handler)
        def wrapper(event: Any, context: Any) -> Any:
            nonlocal traced
            if traced is None:
                traced = self.get().capture_lambda_handler(handler)
            return traced(event, context)

        return wrapper


tracer = LazyTracer()
