"""CreateCustomModel: ask Bedrock to import the model, with the API the request's kind calls for
(CreateCustomModel, or CreateModelImportJob for open weights)."""

from aws_lambda_powertools.metrics import MetricUnit

from model_import.clients import client
from model_import.models import create_model
from model_import.observability import CORRELATION_ID_PATH, logger, metrics, tracer
from model_import.request import ImportRequest
from model_import.settings import CreateSettings

SETTINGS = CreateSettings.from_env()


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
def lambda_handler(event, context):
    request = ImportRequest.from_dict(event["request"])
    model = create_model(client("bedrock"), request, SETTINGS)
    logger.info(
        "Model import started",
        extra={"modelName": request.model_name, "importApi": request.import_api, "modelArn": model["modelArn"], "jobArn": model["jobArn"]},
    )
    metrics.add_metric(name="ImportsStarted", unit=MetricUnit.Count, value=1)
    return model
