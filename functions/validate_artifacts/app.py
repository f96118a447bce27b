"""ValidateArtifacts: turn the execution input into one import request, or reject it."""

from aws_lambda_powertools.metrics import MetricUnit

from model_import import asked_for
from model_import.clients import client
from model_import.observability import CORRELATION_ID_PATH, logger, metrics, tracer
from model_import.settings import ValidateSettings
from model_import.validation import validate

SETTINGS = ValidateSettings.from_env()


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
def lambda_handler(event, context):
    try:
        result = validate(event.get("input"), event["execution"]["arn"], SETTINGS, client("s3"))
    except Exception as err:
        raise asked_for.attach(err)  # what the input named rides in the error's message (asked_for.py)
    request = result.request
    if result.ignored_fields:
        logger.info("Ignored unknown trigger-file fields", extra={"ignoredFields": list(result.ignored_fields)})
    logger.info(
        "Import request accepted",
        extra={
            "modelName": request.model_name,
            "kind": request.kind,
            "source": request.source,
            "deployMode": request.deploy.mode if request.deploy else None,
            "smokeTest": request.smoke_test is not None,
        },
    )
    metrics.add_metric(name="ImportRequestsAccepted", unit=MetricUnit.Count, value=1)
    return request.to_dict()
