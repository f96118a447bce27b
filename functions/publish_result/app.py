"""PublishResult: send the import's one notification and record its metrics."""

from datetime import datetime

from aws_lambda_powertools.metrics import MetricUnit

from model_import.clients import client
from model_import.import_slots import release
from model_import.observability import CORRELATION_ID_PATH, logger, metrics, tracer
from model_import.publish import publish_result
from model_import.settings import PublishSettings

SETTINGS = PublishSettings.from_env()

_OUTCOME_METRIC = {
    "ACTIVE": "ImportsSucceeded",
    "FAILED": "ImportsFailed",
    "TIMED_OUT": "ImportsFailed",
    "ERROR": "ImportsFailed",
    "REJECTED": "ImportsRejected",
}
#: After Active ($.afterImport, set only when a step after it failed; model_import/after_import.py).
#: The executions end red (ModelDeploymentFailed, ModelDeploymentTimedOut, ModelSmokeTestFailed),
#: which AWS/States counts only as ExecutionsFailed of the state machine, whatever the Fail state.
_AFTER_IMPORT_METRIC = {
    "DEPLOYMENT_FAILED": "DeploymentsFailed",
    "DEPLOYMENT_TIMED_OUT": "DeploymentsFailed",
    "SMOKE_TEST_FAILED": "SmokeTestsFailed",
}


def _seconds_between(start: str | None, end: str) -> float | None:
    try:
        return (datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(str(start).replace("Z", "+00:00"))).total_seconds()
    except ValueError:
        return None


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
def lambda_handler(event, context):
    release(client("dynamodb"), SETTINGS.ledger_table, str(event["execution"]["name"]))  # on every path that ends an import
    result = publish_result(client("sns"), client("dynamodb"), event, SETTINGS)
    body = result["notification"]
    if not result["published"]:
        logger.info("Duplicate delivery: notification already sent", extra={"duplicateOf": result["duplicateOf"]})
        return {"outcome": result["outcome"], "published": False, "duplicateOf": result["duplicateOf"]}
    logger.info("Result published", extra={"outcome": body["outcome"], "modelName": body["modelName"], "reason": body["reason"]})
    metrics.add_metric(name=_OUTCOME_METRIC[body["outcome"]], unit=MetricUnit.Count, value=1)
    failed_after = event.get("afterImport")
    if failed_after in _AFTER_IMPORT_METRIC:
        metrics.add_metric(name=_AFTER_IMPORT_METRIC[failed_after], unit=MetricUnit.Count, value=1)
    elif isinstance(body.get("smokeTest"), dict) and body["smokeTest"]["ok"]:
        metrics.add_metric(name="SmokeTestsPassed", unit=MetricUnit.Count, value=1)
    duration = _seconds_between(body["startedAt"], body["finishedAt"])
    if duration is not None:
        metrics.add_metric(name="ImportDuration", unit=MetricUnit.Seconds, value=duration)
    return {"outcome": result["outcome"], "published": True, "duplicateOf": None}
