"""AcquireImportSlot: take one of MaxConcurrentImports import slots, or join the queue for one."""

from aws_lambda_powertools.metrics import MetricUnit

from model_import.clients import client
from model_import.import_slots import slot_round
from model_import.observability import CORRELATION_ID_PATH, logger, metrics, tracer
from model_import.settings import SlotSettings

SETTINGS = SlotSettings.from_env()


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
def lambda_handler(event, context):
    slot = slot_round(client("dynamodb"), event, SETTINGS)
    logger.info("Import slot", extra={k: slot[k] for k in ("admitted", "position", "inFlight", "waitedSeconds")})
    # The dashboard's "import slots in use" and "imports waiting": sampled at every slot round.
    metrics.add_metric(name="ImportSlotsInUse", unit=MetricUnit.Count, value=slot["inFlight"])
    metrics.add_metric(name="ImportQueuePosition", unit=MetricUnit.Count, value=0 if slot["admitted"] else slot["position"])
    return slot
