"""Powertools singletons shared by every step (service name and namespace come from the
template's Globals: POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()

#: Each step receives the execution's context in its payload; it becomes the correlation id.
CORRELATION_ID_PATH = "execution.arn"
