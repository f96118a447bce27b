"""Emulated Bedrock Provisioned Throughput: CreateProvisionedModelThroughput,
GetProvisionedModelThroughput (by ARN or name), ListProvisionedModelThroughputs and
DeleteProvisionedModelThroughput, served by sandbox/bedrock.py's EmulatedBedrock after the
service-model and tag checks.

Both no-commitment (commitmentDuration omitted: billed hourly, deletable any time) and commitment
terms are accepted, as the shapes allow. The documented rules beyond the shapes
(bedrock_contract.EMULATOR_RULES): modelId must name a custom model of this account and region
(ResourceNotFoundException) that is Active; the sandbox hosts no foundation models, so a
foundation-model id is refused (stricter than AWS, which sells throughput for some); a name is
unique (ValidationException: Create models no ConflictException); model-unit quotas refuse with
ServiceQuotaExceededException: by default AWS's documented ones (one model unit per no-commitment
Provisioned Throughput of a custom model, two of them per account, none with a commitment:
userguide/prov-throughput.html), or an account total set with `--quota model-units=U`. AWS's newer
purchase page asks for model units from AWS Support before any purchase (prov-thru-purchase.html):
a real account may refuse even the defaults until then. An imported-model ARN never gets here: the modelId pattern does not take one.

A throughput starts Creating and is final on the Nth Get (BedrockBehaviour.polls, .deployment of the
model's name): InService, Failed with a failureMessage, or stuck.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox import bedrock_contract as contract
from sandbox.bedrock import BedrockBehaviour, CustomModelStore, _iso, _model_id
from sandbox.deployments import page_of
from sandbox.resource_store import ResourceStore

#: The operations this module serves, and the ThroughputStore method serving each.
THROUGHPUT_OPERATIONS = {
    "CreateProvisionedModelThroughput": "create",
    "GetProvisionedModelThroughput": "get",
    "ListProvisionedModelThroughputs": "list",
    "DeleteProvisionedModelThroughput": "delete",
}
_FINAL = {"active": "InService", "failed": "Failed", "stuck": "Creating"}
_COMMITMENT_DAYS = {"OneMonth": 30, "SixMonths": 182}
# AWS's documented default quotas for custom models without commitment (userguide/prov-throughput.html)
NO_COMMITMENT_UNITS_PER_THROUGHPUT = 1
NO_COMMITMENT_THROUGHPUTS_PER_ACCOUNT = 2


@dataclass
class Throughput:
    name: str
    arn: str
    model_arn: str
    model_name: str
    model_units: int
    commitment: str | None
    tags: list[dict[str, str]]
    created: datetime
    behaviour: BedrockBehaviour
    status: str = "Creating"
    failure_message: str | None = None
    checks: int = 0
    updated: datetime | None = None

    def check(self) -> None:
        if self.status != "Creating":
            return
        self.checks += 1
        if self.checks >= self.behaviour.polls:
            self.status = _FINAL[self.behaviour.deployment]
            if self.status == "Failed":
                self.failure_message = (
                    "The Provisioned Throughput could not be created: " + self.behaviour.deployment_failure_message
                )
            if self.status != "Creating":
                self.updated = datetime.now(UTC)

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "modelUnits": self.model_units,
            "desiredModelUnits": self.model_units,
            "provisionedModelName": self.name,
            "provisionedModelArn": self.arn,
            "modelArn": self.model_arn,
            "desiredModelArn": self.model_arn,
            # a custom model's base model; the sandbox's custom models are Nova Micro fine-tunes
            "foundationModelArn": f"arn:aws:bedrock:{self.arn.split(':')[3]}::foundation-model/amazon.nova-micro-v1:0",
            "status": self.status,
            "creationTime": _iso(self.created),
            "lastModifiedTime": _iso(self.updated or self.created),
        }
        if self.commitment:
            from datetime import timedelta

            body["commitmentDuration"] = self.commitment
            body["commitmentExpirationTime"] = _iso(self.created + timedelta(days=_COMMITMENT_DAYS[self.commitment]))
        if self.failure_message:
            body["failureMessage"] = self.failure_message
        return body

    def summary(self) -> dict[str, Any]:
        keys = ("provisionedModelName", "provisionedModelArn", "modelArn", "desiredModelArn", "foundationModelArn",
                "modelUnits", "desiredModelUnits", "status", "commitmentDuration", "commitmentExpirationTime",
                "creationTime", "lastModifiedTime")  # fmt: skip
        described = self.describe()
        return {k: described[k] for k in keys if k in described}


class ThroughputStore(ResourceStore):
    """The Provisioned Throughputs of one account and region."""

    noun = "Provisioned Throughput"

    def __init__(self, account_id: str, region: str, behaviour: BedrockBehaviour, models: CustomModelStore) -> None:
        super().__init__(account_id, region, behaviour, models)
        self.throughputs: dict[str, Throughput] = {}  # by name

    def resources(self) -> dict[str, Throughput]:
        return self.throughputs

    def _model(self, model_id: str, name: str) -> Any:
        foundation = ":foundation-model/" in model_id or (not model_id.startswith("arn:") and "." in model_id)
        if foundation:
            message = (
                f"The sandbox hosts no foundation models: {model_id} cannot be provisioned here. "
                "Provision a custom model of this account (its ARN from GetCustomModel)."
            )
            raise self.refuse(contract.Broken(contract.THROUGHPUT_FOUNDATION_MODEL, message), name)
        model = next((m for m in list(self.models.models.values()) if model_id in (m.arn, m.name)), None)
        if model is None:
            message = f"Could not find the model {model_id} in account {self.account_id}, region {self.region}."
            raise self.refuse(contract.Broken(contract.THROUGHPUT_MODEL_EXISTS, message), name)
        if model.status != "Active":
            message = f"The custom model {model.arn} is {model.status}: Provisioned Throughput needs an Active custom model."
            raise self.refuse(contract.Broken(contract.THROUGHPUT_MODEL_ACTIVE, message), name)
        return model

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        name, units = params["provisionedModelName"], params["modelUnits"]
        token = params.get("clientRequestToken")
        with self._lock:
            self.calls.append("CreateProvisionedModelThroughput")
            if token and token in self.tokens:
                self.replays.append(name)
                return {"provisionedModelArn": self.tokens[token]}
            model = self._model(params["modelId"], name)
            if name in self.throughputs:
                message = f"A Provisioned Throughput with the name {name} already exists."
                raise self.refuse(contract.Broken(contract.THROUGHPUT_NAME_TAKEN, message), name)
            self._admit(name, units, params.get("commitmentDuration"))
            arn = f"arn:aws:bedrock:{self.region}:{self.account_id}:provisioned-model/{_model_id()}"
            self.throughputs[name] = Throughput(
                name=name,
                arn=arn,
                model_arn=model.arn,
                model_name=model.name,
                model_units=units,
                commitment=params.get("commitmentDuration"),
                tags=list(params.get("tags") or []),
                created=datetime.now(UTC),
                behaviour=self.behaviour.for_model(model.name),
            )
            if token:
                self.tokens[token] = arn
            self.created.append(name)
            return {"provisionedModelArn": arn}

    def _admit(self, name: str, units: int, commitment: str | None) -> None:
        """Refuse a purchase over the account's model units, as AWS would. Without --quota model-units,
        the defaults AWS documented (userguide/prov-throughput.html, "Model unit quotas"): a custom model
        with no commitment gets one model unit per Provisioned Throughput and at most two such
        Provisioned Throughputs per account; with a commitment the default is no model units at all
        (botocore's CreateProvisionedModelThroughput docs: "By default, your account has no model units
        for purchasing Provisioned Throughputs with commitment"). The newer purchase page asks for MUs
        from AWS Support first even without commitment (prov-thru-purchase.html): a real account may
        refuse even these; the emulator keeps the documented figures, never more."""
        live = [t for t in self.throughputs.values() if t.status != "Failed"]
        limit = self.behaviour.quotas.model_units
        if limit is not None:
            held = sum(t.model_units for t in live)
            if held + units <= limit:
                return
            message = (
                f"You have reached the maximum number of model units ({limit}) for Provisioned Throughput in this account: "
                f"{held} in use, {units} requested. Delete a Provisioned Throughput or request more model units from AWS Support."
            )
        elif commitment:
            message = (
                f"Your account has no model units for Provisioned Throughput with a {commitment} commitment ({units} requested). "
                "Request model units from AWS Support first."
            )
        elif units > NO_COMMITMENT_UNITS_PER_THROUGHPUT:
            message = (
                f"A Provisioned Throughput for a custom model with no commitment has a quota of "
                f"{NO_COMMITMENT_UNITS_PER_THROUGHPUT} model unit; {units} requested. Request more model units from AWS Support."
            )
        elif sum(1 for t in live if not t.commitment) >= NO_COMMITMENT_THROUGHPUTS_PER_ACCOUNT:
            message = (
                f"You have reached the maximum number of Provisioned Throughputs with no commitment "
                f"({NO_COMMITMENT_THROUGHPUTS_PER_ACCOUNT}) for this account. Delete one or request an increase from AWS Support."
            )
        else:
            return
        raise self.refuse(contract.Broken(contract.MODEL_UNITS_QUOTA, message), name)

    def get(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._get("GetProvisionedModelThroughput", params["provisionedModelId"])

    def delete(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("DeleteProvisionedModelThroughput")
            throughput = self._find(params["provisionedModelId"])
            del self.throughputs[throughput.name]
            return {}

    def list(self, query: dict[str, Any]) -> dict[str, Any]:
        page, token = page_of(self._matching("ListProvisionedModelThroughputs", query), query)
        return {"provisionedModelSummaries": [t.summary() for t in page], **({"nextToken": token} if token else {})}
