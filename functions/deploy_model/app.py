"""DeployModel: make the Active model invocable as the request asks: an on-demand custom model
deployment (created, or this stack's one of the same name pointed at the new model) or no-commitment
Provisioned Throughput."""

from aws_lambda_powertools.metrics import MetricUnit

from model_import.clients import client
from model_import.models import start_deployment
from model_import.observability import CORRELATION_ID_PATH, logger, metrics, tracer
from model_import.settings import DeploySettings

SETTINGS = DeploySettings.from_env()


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
def lambda_handler(event, context):
    model = start_deployment(client("bedrock"), event["request"], event["model"], SETTINGS)
    deployment = model["deployment"]
    # "name" is a LogRecord attribute: logging refuses it as an extra key.
    logger.info(
        "Deployment started",
        extra={"deploymentName": deployment["name"], **{k: deployment[k] for k in ("mode", "arn", "status", "replacedModelArn")}},
    )
    metrics.add_metric(name="DeploymentsStarted", unit=MetricUnit.Count, value=1)
    return model
