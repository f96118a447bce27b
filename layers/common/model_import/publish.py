"""PublishResult: send the one notification for this import, and never a second one.

A small DynamoDB ledger keyed by the request token (the trigger's identity) records who
notified. The same upload delivered twice, or a retry of this step after SNS accepted the
message, finds the record and does not publish again.
"""

from __future__ import annotations

import json
import time
from typing import Any

from model_import import aws_errors
from model_import.aws_errors import error_code, translate
from model_import.asked_for import ledger_key_of_input
from model_import.after_import import failed_step
from model_import.notification import asked_in_error, build_notification, iso_now, message_attributes, raw_input, subject
from model_import.settings import PublishSettings


def ledger_key(state: dict[str, Any]) -> str:
    request = state.get("request")
    if isinstance(request, dict) and request.get("clientRequestToken"):
        return str(request["clientRequestToken"])
    context = asked_in_error(state.get("error"))  # refused in ValidateArtifacts: its error names the key
    if context is not None and isinstance(context.get("requestToken"), str):
        return context["requestToken"]
    # An execution started before that (its state holds the raw input), or an error without context.
    return ledger_key_of_input(raw_input(state), str((state.get("execution") or {}).get("arn")))


def _claim(dynamodb: Any, settings: PublishSettings, key: str, execution_arn: str, now: str) -> str | None:
    """Record this execution as the notifier; return the ARN of the execution that notifies instead
    (the one that already did, or the one that claimed the request), or None."""
    expires = str(int(time.time()) + settings.ledger_ttl_days * 86400)
    try:
        dynamodb.update_item(
            TableName=settings.ledger_table,
            Key={"pk": {"S": key}},
            UpdateExpression="SET notifiedBy = :e, notifiedAt = :t, expiresAt = :x",
            # Free to notify: nobody has, and no other execution claimed this request in
            # ClaimImportRequest (a duplicate that failed early must not speak for the one importing).
            # Or: this execution already did, and a retry of this step is finishing the job.
            ConditionExpression=(
                "(attribute_not_exists(notifiedBy) AND (attribute_not_exists(claimedBy) OR claimedBy = :e))"
                " OR (notifiedBy = :e AND attribute_not_exists(publishedAt))"
            ),
            ExpressionAttributeValues={":e": {"S": execution_arn}, ":t": {"S": now}, ":x": {"N": expires}},
        )
        return None
    except aws_errors.ClientError as err:
        if error_code(err) != "ConditionalCheckFailedException":
            raise translate(err, "dynamodb", "UpdateItem") from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "dynamodb", "UpdateItem") from err
    try:
        item = dynamodb.get_item(TableName=settings.ledger_table, Key={"pk": {"S": key}}, ConsistentRead=True)
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "dynamodb", "GetItem") from err
    found = item.get("Item", {})
    return (found.get("notifiedBy") or found.get("claimedBy") or {}).get("S", "another execution")


def publish_result(sns: Any, dynamodb: Any, state: dict[str, Any], settings: PublishSettings) -> dict[str, Any]:
    finished_at = iso_now()
    body = build_notification(state, finished_at)
    key = ledger_key(state)
    owner = _claim(dynamodb, settings, key, str(body["executionArn"]), finished_at)
    if owner == body["executionArn"]:
        # A retry of this step after the message went out: it is not sent twice.
        return {"outcome": body["outcome"], "published": True, "duplicateOf": None, "notification": body}
    if owner is not None:
        return {"outcome": body["outcome"], "published": False, "duplicateOf": owner, "notification": body}
    try:
        response = sns.publish(
            TopicArn=settings.topic_arn,
            Subject=subject(body, failed_step(state)),
            Message=json.dumps(body),
            MessageAttributes=message_attributes(body),
        )
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "sns", "Publish") from err
    try:
        dynamodb.update_item(
            TableName=settings.ledger_table,
            Key={"pk": {"S": key}},
            UpdateExpression="SET publishedAt = :t, messageId = :m",
            ExpressionAttributeValues={":t": {"S": iso_now()}, ":m": {"S": response["MessageId"]}},
        )
    except (aws_errors.ClientError, aws_errors.BotoCoreError):
        pass  # the message is out; a missing mark only weakens protection against a retry of this step
    return {"outcome": body["outcome"], "published": True, "duplicateOf": None, "notification": body}
