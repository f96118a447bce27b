"""Emulated Bedrock custom model deployments (on-demand inference of a custom model):
CreateCustomModelDeployment, GetCustomModelDeployment (by ARN or name), UpdateCustomModelDeployment,
ListCustomModelDeployments and DeleteCustomModelDeployment, served by sandbox/bedrock.py's
EmulatedBedrock (moto 5.2.5 has none of them), which first checks each request against the
operation's shapes in botocore's service model and the tag rules.

The documented rules beyond the shapes (bedrock_contract.EMULATOR_RULES): the custom model must
exist in this account and region (ResourceNotFoundException) and be Active; a deployment name is
unique (ValidationException: the service model lists no ConflictException for Create); a repeated
clientRequestToken returns the first call's deployment; an update needs an Active deployment with no
update running, and an Active custom model; a deployment still Creating or Updating cannot be
deleted (ConflictException, modelled for Delete). An imported-model ARN never gets here: the
modelArn pattern only takes custom-model ARNs.

A deployment starts Creating and is final on the Nth GetCustomModelDeployment (BedrockBehaviour
.polls; .deployment of the deployed model's name: Active, Failed with a failureMessage, or stuck).
An update shows updateDetails {modelArn, updateStatus Updating} and, on the Nth Get, UpdateCompleted
(modelArn is then the new model) or UpdateFailed; the deployment stays Active and serves its
previous model meanwhile. ARNs have the service's shape: custom-model-deployment/<12 lowercase alnum>.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox import bedrock_contract as contract
from sandbox.bedrock import BedrockBehaviour, CustomModelStore, _iso, _model_id
from sandbox.resource_store import ResourceStore

#: The operations this module serves, and the DeploymentStore method serving each.
DEPLOYMENT_OPERATIONS = {
    "CreateCustomModelDeployment": "create",
    "GetCustomModelDeployment": "get",
    "UpdateCustomModelDeployment": "update",
    "ListCustomModelDeployments": "list",
    "DeleteCustomModelDeployment": "delete",
}
_FINAL = {"active": "Active", "failed": "Failed", "stuck": "Creating"}
_UPDATE_FINAL = {"active": "UpdateCompleted", "failed": "UpdateFailed", "stuck": "Updating"}


@dataclass
class Update:
    model_arn: str
    behaviour: BedrockBehaviour
    status: str = "Updating"
    checks: int = 0


@dataclass
class Deployment:
    name: str
    arn: str
    model_arn: str
    model_name: str
    description: str | None
    tags: list[dict[str, str]]
    created: datetime
    behaviour: BedrockBehaviour
    status: str = "Creating"
    failure_message: str | None = None
    checks: int = 0
    update: Update | None = None
    updated: datetime | None = None
    served: list[str] = field(default_factory=list)  # modelArn, each time it changed

    @property
    def updating(self) -> bool:
        return self.update is not None and self.update.status == "Updating"

    def check(self) -> None:
        """One GetCustomModelDeployment: the status (or the running update) moves on when this is the Nth."""
        if self.status == "Creating":
            self.checks += 1
            if self.checks >= self.behaviour.polls:
                self.status = _FINAL[self.behaviour.deployment]
                if self.status == "Failed":
                    self.failure_message = self.behaviour.deployment_failure_message
                if self.status != "Creating":
                    self.updated = datetime.now(UTC)
            return
        if self.updating:
            assert self.update is not None
            self.update.checks += 1
            if self.update.checks >= self.update.behaviour.polls:
                self.update.status = _UPDATE_FINAL[self.update.behaviour.deployment]
                if self.update.status == "UpdateCompleted":
                    self.model_arn = self.update.model_arn
                    self.served.append(self.model_arn)
                    self.failure_message = None
                elif self.update.status == "UpdateFailed":
                    self.failure_message = self.update.behaviour.deployment_failure_message
                if self.update.status != "Updating":
                    self.updated = datetime.now(UTC)

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "customModelDeploymentArn": self.arn,
            "modelDeploymentName": self.name,
            "modelArn": self.model_arn,
            "createdAt": _iso(self.created),
            "status": self.status,
            "lastUpdatedAt": _iso(self.updated or self.created),
        }
        if self.description:
            body["description"] = self.description
        if self.update is not None:
            body["updateDetails"] = {"modelArn": self.update.model_arn, "updateStatus": self.update.status}
        if self.failure_message:
            body["failureMessage"] = self.failure_message
        return body

    def summary(self) -> dict[str, Any]:
        return {
            "customModelDeploymentArn": self.arn,
            "customModelDeploymentName": self.name,
            "modelArn": self.model_arn,
            "createdAt": _iso(self.created),
            "status": self.status,
            "lastUpdatedAt": _iso(self.updated or self.created),
            **({"failureMessage": self.failure_message} if self.failure_message else {}),
        }


class DeploymentStore(ResourceStore):
    """The custom model deployments of one account and region."""

    noun = "custom model deployment"

    def __init__(self, account_id: str, region: str, behaviour: BedrockBehaviour, models: CustomModelStore) -> None:
        super().__init__(account_id, region, behaviour, models)
        self.deployments: dict[str, Deployment] = {}  # by name

    def resources(self) -> dict[str, Deployment]:
        return self.deployments

    def _active_model(self, arn: str, name: str | None) -> Any:
        """The custom model an ARN names, if it exists here and is Active; else the rule it breaks."""
        model = next((m for m in list(self.models.models.values()) if m.arn == arn), None)
        if model is None:
            message = f"Could not find the custom model {arn} in account {self.account_id}, region {self.region}."
            raise self.refuse(contract.Broken(contract.DEPLOYMENT_MODEL_EXISTS, message), name)
        if model.status != "Active":
            message = f"The custom model {arn} is {model.status}: only an Active custom model can be deployed."
            raise self.refuse(contract.Broken(contract.DEPLOYMENT_MODEL_ACTIVE, message), name)
        return model

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        name, model_arn = params["modelDeploymentName"], params["modelArn"]
        token = params.get("clientRequestToken")
        with self._lock:
            self.calls.append("CreateCustomModelDeployment")
            if token and token in self.tokens:
                self.replays.append(name)
                return {"customModelDeploymentArn": self.tokens[token]}
            model = self._active_model(model_arn, name)
            if name in self.deployments:
                message = f"A custom model deployment with the name {name} already exists."
                raise self.refuse(contract.Broken(contract.DEPLOYMENT_NAME_TAKEN, message), name)
            arn = f"arn:aws:bedrock:{self.region}:{self.account_id}:custom-model-deployment/{_model_id()}"
            self.deployments[name] = Deployment(
                name=name,
                arn=arn,
                model_arn=model_arn,
                model_name=model.name,
                description=params.get("description"),
                tags=list(params.get("tags") or []),
                created=datetime.now(UTC),
                behaviour=self.behaviour.for_model(model.name),
                served=[model_arn],
            )
            if token:
                self.tokens[token] = arn
            self.created.append(name)
            return {"customModelDeploymentArn": arn}

    def get(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._get("GetCustomModelDeployment", params["customModelDeploymentIdentifier"])

    def update(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("UpdateCustomModelDeployment")
            deployment = self._find(params["customModelDeploymentIdentifier"])
            if deployment.status != "Active" or deployment.updating:
                state = "Updating" if deployment.updating else deployment.status
                message = (
                    f"The custom model deployment {deployment.name} is {state}: only an Active deployment with no update "
                    "in progress can be updated. Wait until it is Active and try again."
                )
                raise self.refuse(contract.Broken(contract.UPDATE_DEPLOYMENT_ACTIVE, message), deployment.name)
            model = self._active_model(params["modelArn"], deployment.name)
            deployment.update = Update(model_arn=model.arn, behaviour=self.behaviour.for_model(model.name))
            deployment.updated = datetime.now(UTC)
            return {"customModelDeploymentArn": deployment.arn}

    def delete(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("DeleteCustomModelDeployment")
            deployment = self._find(params["customModelDeploymentIdentifier"])
            if deployment.status == "Creating" or deployment.updating:
                state = "Updating" if deployment.updating else "Creating"
                message = f"The custom model deployment {deployment.name} is {state}; delete it once it is Active or Failed."
                raise self.refuse(contract.Broken(contract.DEPLOYMENT_BUSY, message), deployment.name)
            del self.deployments[deployment.name]
            return {}

    def list(self, query: dict[str, Any]) -> dict[str, Any]:
        page, token = page_of(self._matching("ListCustomModelDeployments", query), query)
        return {"modelDeploymentSummaries": [d.summary() for d in page], **({"nextToken": token} if token else {})}


def page_of(items: list[Any], query: dict[str, Any]) -> tuple[list[Any], str | None]:
    """One page of a List* answer, newest first unless sortOrder says otherwise."""
    from sandbox.import_jobs import _page

    return _page(items, query)
