"""AcquireImportSlot: take one of MaxConcurrentImports import slots, or join the queue for one."""

from model_import.clients import client
from model_import.import_slots import slot_round
from model_import.observability import CORRELATION_ID_PATH, logger, tracer
from model_import.settings import SlotSettings

SETTINGS = SlotSettings.from_env()


@tracer.capture_lambda_handler
@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH)
def lambda_handler(event, context):
    slot = slot_round(client("dynamodb"), event, SETTINGS)
    logger.info("Import slot", extra={k: slot[k] for k in ("admitted", "position", "inFlight", "waitedSeconds")})
    return slot
