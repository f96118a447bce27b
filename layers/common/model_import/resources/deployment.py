"""An on-demand custom model deployment (CreateCustomModelDeployment), and the stable name.

`deploy.name` names the deployment. When none exists, it is created. When one of this stack exists
(tag model-import:stack), the new model replaces the old one behind the same ARN with
UpdateCustomModelDeployment, only once the new model is Active and only while the deployment is
Active; the previous model is never deleted. A deployment of another stack is never touched
(DeploymentRejected); this stack's one still Creating or Updating (another import of the same name)
is waited for (DeploymentBusy, retried by StartDeployment), then updated. Members and statuses: botocore's bedrock model
(Get/Create/UpdateCustomModelDeployment); Bedrock emits no events for deployments, so the loop polls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model_import import aws_errors, loop
from model_import.aws_errors import error_code, error_message, translate
from model_import.errors import AwsCallFailed, DeploymentBusy, DeploymentRejected
from model_import.tags import PROVENANCE_PREFIX

if TYPE_CHECKING:
    from model_import.settings import DeploySettings, PollSettings

MODE = "on-demand"
STACK_TAG = PROVENANCE_PREFIX + "stack"
#: updateDetails.updateStatus -> the deployment's status as the loop reports it.
UPDATE_STATUSES = {"Updating": "Updating", "UpdateCompleted": "Active", "UpdateFailed": "Failed"}
#: Not a refusal of this request but the stack's own trouble (its role): reported as the AWS error it is.
_NOT_REFUSALS = ("AccessDeniedException",)
_ELIGIBILITY = (
    "on-demand deployment is offered only for some custom models (e.g. Amazon Nova models customized on or "
    "after 2025-07-16 with PEFT, in us-east-1 and us-west-2: "
    "https://docs.aws.amazon.com/bedrock/latest/userguide/deploy-custom-model-on-demand.html)"
)


def client_request_token(request: Mapping[str, Any], purpose: str) -> str:
    """A token derived from the request's: a retried create call is the same call to Bedrock."""
    import hashlib

    return hashlib.sha256(f"{purpose}\n{request['clientRequestToken']}".encode()).hexdigest()


def tag_list(request: Mapping[str, Any], settings: DeploySettings) -> list[dict[str, str]]:
    """The request's tags (its provenance included), and this stack's tag, which IAM scopes on."""
    tags = {**dict(request.get("tags") or {}), STACK_TAG: settings.stack_name}
    return [{"key": k, "value": v} for k, v in sorted(tags.items())]


def create(bedrock: Any, request: Mapping[str, Any], model: dict[str, Any], settings: DeploySettings) -> dict[str, Any]:
    """Create the deployment, or point this stack's existing one at the new model; start the loop."""
    name = request["deploy"]["name"]
    model_arn = model["modelArn"]
    found = _existing(bedrock, name)
    if found is None:
        try:
            response = bedrock.create_custom_model_deployment(
                modelDeploymentName=name,
                modelArn=model_arn,
                tags=tag_list(request, settings),
                clientRequestToken=client_request_token(request, "custom-model-deployment"),
            )
        except aws_errors.ClientError as err:
            refusal = _refusal(err, "CreateCustomModelDeployment", name)
            if not isinstance(refusal, DeploymentRejected):
                raise refusal from err
            # Another import of the same deploy.name may have created it since the lookup (a race:
            # Bedrock refuses a taken name): then this is the stable-name case after all.
            found = _existing(bedrock, name)
            if found is None:
                raise refusal from err
        except aws_errors.BotoCoreError as err:
            raise translate(err, "bedrock", "CreateCustomModelDeployment") from err
        else:
            return loop.deployment_started(
                model, settings.poll, mode=MODE, name=name, arn=response["customModelDeploymentArn"], status="Creating",
                model_arn=model_arn,
            )
    return _repoint(bedrock, found, name, model, settings)


def _repoint(bedrock: Any, found: Mapping[str, Any], name: str, model: dict[str, Any], settings: DeploySettings) -> dict[str, Any]:
    """The deployment `name` exists: carry on with it (a retry), or point this stack's one at the model."""
    model_arn = model["modelArn"]
    arn = found["customModelDeploymentArn"]
    update = found.get("updateDetails") or {}
    if model_arn in (found.get("modelArn"), update.get("modelArn")):
        # A retry of this very step (its first answer lost): carry on with what it started.
        replaced = found.get("modelArn") if found.get("modelArn") != model_arn else None
        return loop.deployment_started(
            model, settings.poll, mode=MODE, name=name, arn=arn, status=status_of(found, model_arn), model_arn=model_arn,
            replaced_model_arn=replaced,
        )
    owner = _stack_of(bedrock, arn)
    if owner != settings.stack_name:
        raise DeploymentRejected(
            f"the deployment {name!r} ({arn}) exists but was not created by this stack (its tag {STACK_TAG} is "
            f"{owner!r}, this stack is {settings.stack_name!r}); the workflow never repoints another's deployment. "
            "Choose another deploy.name"
        )
    _check_updatable(found, name)
    try:
        bedrock.update_custom_model_deployment(customModelDeploymentIdentifier=arn, modelArn=model_arn)
    except aws_errors.ClientError as err:
        refusal = _refusal(err, "UpdateCustomModelDeployment", name)
        if isinstance(refusal, DeploymentRejected):
            # Another import's update may have started since the lookup: then wait for it, as above.
            again = _existing(bedrock, name)
            if again is not None:
                _check_updatable(again, name)
        raise refusal from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "bedrock", "UpdateCustomModelDeployment") from err
    return loop.deployment_started(
        model, settings.poll, mode=MODE, name=name, arn=arn, status="Updating", model_arn=model_arn,
        replaced_model_arn=found.get("modelArn"),
    )


def _check_updatable(found: Mapping[str, Any], name: str) -> None:
    """Bedrock updates only an Active deployment with no update running ("Update a custom model
    deployment", userguide deploy-custom-model-on-demand; the emulator's update-deployment-active
    rule). Creating or Updating (another import of the same name): DeploymentBusy, which
    StartDeployment retries until it is Active. Failed: it never becomes Active, so say how to free
    the name."""
    arn = found["customModelDeploymentArn"]
    status = found.get("status") or "Creating"
    updating = (found.get("updateDetails") or {}).get("updateStatus") == "Updating"
    if status == "Creating" or (status == "Active" and updating):
        raise DeploymentBusy(
            f"the deployment {name!r} ({arn}) of this stack is {'Updating' if updating else 'Creating'} (another import "
            "of the same deploy.name), and Bedrock updates only an Active deployment: StartDeployment waits for it "
            "(about half an hour at most), then points it at this model. If it gave up, upload the trigger file again "
            f"once 'aws bedrock get-custom-model-deployment --custom-model-deployment-identifier {arn}' says Active"
        )
    if status != "Active":
        raise DeploymentRejected(
            f"the deployment {name!r} ({arn}) of this stack is {status}, and Bedrock updates only an Active deployment: "
            f"it never serves again. Delete it with 'aws bedrock delete-custom-model-deployment "
            f"--custom-model-deployment-identifier {arn}' and upload the trigger file again, or choose another deploy.name"
        )


def check(bedrock: Any, model: dict[str, Any], settings: PollSettings) -> dict[str, Any]:
    """Call GetCustomModelDeployment once; return the loop's next state."""
    deployment = model["deployment"]
    try:
        response = bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=deployment["arn"])
    except aws_errors.ClientError as err:
        if error_code(err) == "ResourceNotFoundException":
            return loop.deployment_gone(model, settings, "GetCustomModelDeployment", error_message(err))
        raise translate(err, "bedrock", "GetCustomModelDeployment") from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "bedrock", "GetCustomModelDeployment") from err
    return loop.deployment_checked(
        model, settings, status=status_of(response, deployment["modelArn"]), failure_message=response.get("failureMessage")
    )


def status_of(response: Mapping[str, Any], model_arn: str | None) -> str:
    """Bedrock's status of the deployment serving `model_arn`: while an update to it runs, the
    update's (Updating | Active once UpdateCompleted | Failed once UpdateFailed); else `status`."""
    status = response.get("status") or "Creating"
    update = response.get("updateDetails") or {}
    if status == "Active" and update.get("updateStatus") and update.get("modelArn") in (None, model_arn):
        return UPDATE_STATUSES.get(update["updateStatus"], update["updateStatus"])
    return status


def _existing(bedrock: Any, name: str) -> dict[str, Any] | None:
    try:
        return bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=name)
    except aws_errors.ClientError as err:
        if error_code(err) == "ResourceNotFoundException":
            return None
        raise translate(err, "bedrock", "GetCustomModelDeployment") from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "bedrock", "GetCustomModelDeployment") from err


def _stack_of(bedrock: Any, arn: str) -> str | None:
    try:
        tags = bedrock.list_tags_for_resource(resourceARN=arn).get("tags") or []
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "bedrock", "ListTagsForResource") from err
    return next((t.get("value") for t in tags if t.get("key") == STACK_TAG), None)


def _refusal(err: aws_errors.ClientError, action: str, name: str) -> Exception:
    """Bedrock refusing the deployment (not eligible, name taken, quota, ...) -> DeploymentRejected."""
    translated = translate(err, "bedrock", action)
    code, message = error_code(err), error_message(err)
    if not isinstance(translated, AwsCallFailed) or code in _NOT_REFUSALS:
        return translated  # throttling and 5xx are retried by StartDeployment; access denied is the stack's fault
    return DeploymentRejected(
        f"Bedrock refused the on-demand deployment {name!r} ({action}: {code}: {message}). {_ELIGIBILITY[0].upper()}"
        f"{_ELIGIBILITY[1:]}. Fix the model or the name, or ask for \"deploy\": {{\"mode\": \"provisioned\"}} or "
        "{\"mode\": \"none\"}; the model itself is Active"
    )
