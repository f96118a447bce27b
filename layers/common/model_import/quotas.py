"""Bedrock's import quotas, as the workflow explains them to the user."""

from __future__ import annotations

from typing import Any

from model_import import aws_errors
from model_import.aws_errors import error_code, error_message
from model_import.errors import BedrockQuotaBusy, ImportRejected


def queued_too_long(slot: dict[str, Any]) -> str:
    """The TIMED_OUT reason of an import that never got one of MaxConcurrentImports slots."""
    minutes = int(slot.get("waitedSeconds", 0)) // 60
    return (
        f"no import slot came free in {minutes} minutes: all {slot.get('limit')} (MaxConcurrentImports) stayed taken "
        f"by earlier imports, and this one was still number {slot.get('position')} in the queue; no model was created. "
        "Upload the trigger file again later, or raise the stack's ImportTimeoutMinutes "
        "(or MaxConcurrentImports, once the account's Bedrock import quota allows it)"
    )


# Bedrock answers ServiceQuotaExceededException (HTTP 400; botocore's bedrock model: "The number of
# requests exceeds the service quota. Resubmit your request later.") for both of its import quotas.
# The message is the only thing that tells them apart, and AWS does not document its wording: a
# message about imports running at once (concurrency) is retried, since waiting clears it; any other
# is taken as the account holding its maximum number of models, which waiting cannot clear.
_CONCURRENCY_WORDS = ("concurren", "in progress", "at a time", "simultaneous", "running")
COUNT_PAGES = 10  # ListCustomModels pages read to count the account's models (1,000 models at most)


def is_concurrency_quota(message: str) -> bool:
    return any(word in message.lower() for word in _CONCURRENCY_WORDS)


#: What counts an account's models for each import API: (list operation, what it lists).
_LISTS = {"CreateCustomModel": ("list_custom_models", "custom models"), "CreateModelImportJob": ("list_imported_models", "imported models")}


def quota_error(bedrock: Any, err: Exception, request: Any, api: str = "CreateCustomModel") -> Exception | None:
    """The named exception for a quota refusal of `api` (CreateCustomModel or CreateModelImportJob),
    or None if `err` is not one."""
    if error_code(err) != "ServiceQuotaExceededException":
        return None
    message = error_message(err)
    if is_concurrency_quota(message):
        return BedrockQuotaBusy(f"bedrock {api}: ServiceQuotaExceededException: {message}")
    operation, noun = _LISTS[api]
    return ImportRejected(account_full_reason(message, count_models(bedrock, operation), request.model_name, noun))


def count_models(bedrock: Any, operation: str = "list_custom_models") -> int | None:
    """How many models the list operation shows (custom models, imported ones included; or imported
    models), or None if it cannot tell."""
    total, token = 0, None
    try:
        for _ in range(COUNT_PAGES):
            args = {"maxResults": 100, **({"nextToken": token} if token else {})}
            # Both calls spelled out: the IAM tests find each role's actions by reading its code's calls.
            if operation == "list_imported_models":
                page = bedrock.list_imported_models(**args)
            else:
                page = bedrock.list_custom_models(**args)
            total += len(page.get("modelSummaries", []))
            token = page.get("nextToken")
            if not token:
                return total
    except (aws_errors.ClientError, aws_errors.BotoCoreError):
        return None
    return None  # more than COUNT_PAGES pages: too many to count here


def account_full_reason(message: str, held: int | None, model_name: str, noun: str = "custom models") -> str:
    """The REJECTED reason when the account holds as many models as its quota allows."""
    holds = f"the account holds {held} {noun} now" if held is not None else "the number of models it holds could not be listed"
    return (
        f"Bedrock's quota on the number of custom and imported models in this account and region is reached ({holds}; "
        f"Bedrock: {message.rstrip('.')}). No model was created, and waiting will not help. Either delete a model you "
        "no longer need: 'aws bedrock list-custom-models' then 'aws bedrock delete-custom-model --model-identifier <name>' "
        "(or 'aws bedrock delete-imported-model --model-identifier <name>' for models from CreateModelImportJob); "
        "or request a higher quota: find its code with aws service-quotas list-service-quotas --service-code bedrock "
        "--query \"Quotas[?contains(QuotaName, 'model')].[QuotaName,QuotaCode,Value]\", then "
        "'aws service-quotas request-service-quota-increase --service-code bedrock --quota-code <code> --desired-value <n>'. "
        f"Then upload {model_name}'s trigger file again"
    )
