"""Cold-start baseline: the smallest Powertools handler (Logger only)."""

from aws_lambda_powertools import Logger

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event, context):
    return {"ok": True}
