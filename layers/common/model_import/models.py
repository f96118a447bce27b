"""Create the Bedrock resource a request's kind calls for, and check it: one table, by kind.

CreateCustomModel's and CheckModelStatus's handlers call these two; the Wait/Check loop in the
state machine is the same for every kind (model_import.loop). A new kind of source is one entry
in RESOURCES (and, for a new Bedrock resource, one module in model_import.resources).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model_import.kinds import KIND_CHECKPOINT, KIND_MODEL_PACKAGE, KIND_OPEN_WEIGHTS
from model_import.resources import custom_model, import_job

if TYPE_CHECKING:
    from model_import.request import ImportRequest
    from model_import.settings import CreateSettings, PollSettings

#: kind -> the module that creates and checks its Bedrock resource (create/check, same shape).
RESOURCES = {
    KIND_CHECKPOINT: custom_model,
    KIND_MODEL_PACKAGE: custom_model,
    KIND_OPEN_WEIGHTS: import_job,
}


def create_model(bedrock: Any, request: ImportRequest, settings: CreateSettings) -> dict[str, Any]:
    return RESOURCES[request.kind].create(bedrock, request, settings)


def check_model(bedrock: Any, model: dict[str, Any], settings: PollSettings) -> dict[str, Any]:
    # A loop state without a kind was started before kinds existed: a custom model.
    return RESOURCES[model.get("kind") or KIND_CHECKPOINT].check(bedrock, model, settings)
