"""Create the Bedrock resource a request's kind calls for, and check it: one table, by kind; then
the deployment the request asks for, by its mode.

CreateCustomModel's and CheckModelStatus's handlers call these two; the Wait/Check loop in the
state machine is the same for every kind (model_import.loop). A new kind of source is one entry
in RESOURCES (and, for a new Bedrock resource, one module in model_import.resources).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model_import.kinds import KIND_CHECKPOINT, KIND_MODEL_PACKAGE, KIND_OPEN_WEIGHTS
from model_import.resources import custom_model, deployment, import_job, provisioned_throughput

if TYPE_CHECKING:
    from model_import.request import ImportRequest
    from model_import.settings import CreateSettings, DeploySettings, PollSettings

#: kind -> the module that creates and checks its Bedrock resource (create/check, same shape).
RESOURCES = {
    KIND_CHECKPOINT: custom_model,
    KIND_MODEL_PACKAGE: custom_model,
    KIND_OPEN_WEIGHTS: import_job,
}

#: deploy.mode -> the module that creates and checks what makes the Active model invocable.
DEPLOYMENTS = {
    deployment.MODE: deployment,
    provisioned_throughput.MODE: provisioned_throughput,
}


def create_model(bedrock: Any, request: ImportRequest, settings: CreateSettings) -> dict[str, Any]:
    return RESOURCES[request.kind].create(bedrock, request, settings)


def start_deployment(bedrock: Any, request: Mapping[str, Any], model: dict[str, Any], settings: DeploySettings) -> dict[str, Any]:
    """`request` is the request as the state carries it (ImportRequest.to_dict): its "deploy" member
    {"mode", "name", "modelUnits"} is the contract between ValidateArtifacts and this step."""
    return DEPLOYMENTS[request["deploy"]["mode"]].create(bedrock, request, model, settings)


def check_model(bedrock: Any, model: dict[str, Any], settings: PollSettings) -> dict[str, Any]:
    # After the model is Active, the loop follows its deployment, if the request asked for one.
    if model.get("deployment"):
        return DEPLOYMENTS[model["deployment"]["mode"]].check(bedrock, model, settings)
    # A loop state without a kind was started before kinds existed: a custom model.
    return RESOURCES[model.get("kind") or KIND_CHECKPOINT].check(bedrock, model, settings)
