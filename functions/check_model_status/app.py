"""CheckModelStatus: one status call (GetCustomModel, or GetModelImportJob for open weights, by the
loop state's kind; once the model is Active, GetCustomModelDeployment or GetProvisionedModelThroughput
for the deployment the request asked for); say whether to wait again, and how long."""

from model_import.clients import client
from model_import.models import check_model
from model_import.observability import CORRELATION_ID_PATH, logger, tracer
from model_import.settings import PollSettings

SETTINGS = PollSettings.from_env()


@tracer.capture_lambda_handler
@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
def lambda_handler(event, context):
    model = check_model(client("bedrock"), event["model"], SETTINGS)
    logger.info(
        "Model status checked",
        extra={k: model[k] for k in ("modelName", "modelStatus", "checks", "waitedSeconds", "deadlineReached")},
    )
    if model.get("deployment"):
        logger.info(
            "Deployment status checked",
            extra={"deploymentName": model["deployment"]["name"],
                   **{k: model["deployment"][k] for k in ("mode", "status", "checks", "waitedSeconds", "deadlineReached")}},
        )
    return model
