"""Provisioned Throughput for the Active model (CreateProvisionedModelThroughput), no commitment.

Billed hourly per model unit until it is deleted, so the stack's cost guard MaxProvisionedModelUnits
is checked again here, right before the call: a request validated before the stack lowered it is
still refused. Members and statuses (Creating | InService | Updating | Failed): botocore's bedrock
model; Bedrock emits no events for Provisioned Throughput, so the loop polls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model_import import aws_errors, loop
from model_import.aws_errors import error_code, error_message, translate
from model_import.errors import AwsCallFailed, DeploymentRejected
from model_import.resources.deployment import client_request_token, tag_list

if TYPE_CHECKING:
    from model_import.settings import DeploySettings, PollSettings

MODE = "provisioned"


def create(bedrock: Any, request: Mapping[str, Any], model: dict[str, Any], settings: DeploySettings) -> dict[str, Any]:
    """Buy `modelUnits` of no-commitment throughput for the model; start the loop."""
    spec = request["deploy"]
    name = spec["name"]
    units = spec.get("modelUnits") or 1
    limit = settings.max_provisioned_model_units
    if units > limit:
        raise DeploymentRejected(
            f"Provisioned Throughput {name!r} asks for {units} model unit(s), but this stack allows "
            f"{limit} (MaxProvisionedModelUnits). Provisioned Throughput bills hourly until it is deleted: raise "
            "MaxProvisionedModelUnits, ask for fewer deploy.modelUnits, or ask for \"mode\": \"on-demand\""
        )
    try:
        response = bedrock.create_provisioned_model_throughput(
            modelUnits=units,
            provisionedModelName=name,
            modelId=model["modelArn"],
            tags=tag_list(request, settings),
            clientRequestToken=client_request_token(request, "provisioned-model-throughput"),
            # No commitmentDuration: "To request a no-commit Provisioned Throughput, omit this field"
            # (API_CreateProvisionedModelThroughput); it bills hourly and can be deleted at any time,
            # while one "with commitment" cannot be deleted "before the commitment term is complete"
            # (https://docs.aws.amazon.com/bedrock/latest/userguide/prov-thru-delete.html).
        )
    except aws_errors.ClientError as err:
        raise _refusal(err, name, units) from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "bedrock", "CreateProvisionedModelThroughput") from err
    return loop.deployment_started(
        model, settings.poll, mode=MODE, name=name, arn=response["provisionedModelArn"], status="Creating",
        model_arn=model["modelArn"], model_units=units,
    )


def check(bedrock: Any, model: dict[str, Any], settings: PollSettings) -> dict[str, Any]:
    """Call GetProvisionedModelThroughput once; return the loop's next state."""
    deployment = model["deployment"]
    try:
        response = bedrock.get_provisioned_model_throughput(provisionedModelId=deployment["arn"])
    except aws_errors.ClientError as err:
        if error_code(err) == "ResourceNotFoundException":
            return loop.deployment_gone(model, settings, "GetProvisionedModelThroughput", error_message(err))
        raise translate(err, "bedrock", "GetProvisionedModelThroughput") from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "bedrock", "GetProvisionedModelThroughput") from err
    return loop.deployment_checked(
        model,
        settings,
        status=response.get("status") or "Creating",
        failure_message=response.get("failureMessage"),
        modelUnits=response.get("modelUnits", deployment.get("modelUnits")),
    )


def _refusal(err: aws_errors.ClientError, name: str, units: int) -> Exception:
    translated = translate(err, "bedrock", "CreateProvisionedModelThroughput")
    code, message = error_code(err), error_message(err)
    if not isinstance(translated, AwsCallFailed) or code == "AccessDeniedException":
        return translated
    return DeploymentRejected(
        f"Bedrock refused Provisioned Throughput {name!r} of {units} model unit(s) (CreateProvisionedModelThroughput: "
        f"{code}: {message}). Check the account's model-unit quota for this model, choose another deploy.name, or ask "
        "for fewer deploy.modelUnits; the model itself is Active"
    )
