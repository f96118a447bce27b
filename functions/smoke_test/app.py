"""SmokeTest: one Converse or InvokeModel call against what the import made invocable."""

from aws_lambda_powertools.metrics import MetricUnit

from model_import.clients import client
from model_import.observability import CORRELATION_ID_PATH, logger, metrics, tracer
from model_import.smoke_test import run


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
def lambda_handler(event, context):
    result = run(client("bedrock-runtime"), client("bedrock"), event["request"], event["model"], int(event.get("retryCount") or 0) + 1)
    logger.info("Smoke test", extra={k: result[k] for k in ("ok", "api", "modelId", "latencyMs", "error", "attempts")})
    # Whether it passed is counted once per import by PublishResult (SmokeTestsPassed/Failed), which
    # also sees a test that never answered (retries exhausted); here only the call's latency.
    if result["latencyMs"] is not None:
        metrics.add_metric(name="SmokeTestLatency", unit=MetricUnit.Milliseconds, value=result["latencyMs"])
    return result
