"""What the emulated deployments (sandbox/deployments.py) and Provisioned Throughputs
(sandbox/provisioned.py) share: one store per account and region, resources by name, a lookup by
name or ARN, a Get that moves a resource on by one status check, and the List filters both
operations take (nameContains, statusEquals, modelArnEquals: botocore's bedrock model)."""

from __future__ import annotations

import threading
from typing import Any

from sandbox import bedrock_contract as contract
from sandbox.bedrock import BedrockBehaviour, BedrockError, CustomModelStore

_STATUS = {"ResourceNotFoundException": 404, "ConflictException": 409}


class ResourceStore:
    """The resources of one kind in one account and region. A subclass names its noun and keeps its
    resources (each with name, arn, status, model_arn, check() and describe()) in the dict
    resources() returns."""

    noun = "resource"

    def __init__(self, account_id: str, region: str, behaviour: BedrockBehaviour, models: CustomModelStore) -> None:
        self.account_id = account_id
        self.region = region
        self.behaviour = behaviour
        self.models = models  # the custom models of the same account and region
        self.tokens: dict[str, str] = {}  # clientRequestToken -> ARN
        self.calls: list[str] = []
        self.created: list[str] = []  # names, in order
        self.replays: list[str] = []
        self.refusals: list[tuple[str, str | None]] = []  # (EMULATOR_RULES id, name) of each refused request
        self._lock = threading.Lock()

    def resources(self) -> dict[str, Any]:
        raise NotImplementedError

    def refuse(self, broken: contract.Broken, name: str | None) -> BedrockError:
        self.refusals.append((broken.rule.id, name))
        return BedrockError(broken.rule.error, broken.message, status=_STATUS.get(broken.rule.error, 400))

    def find(self, identifier: str) -> Any:
        return next((r for r in list(self.resources().values()) if identifier in (r.name, r.arn)), None)

    def _find(self, identifier: str) -> Any:
        found = self.find(identifier)
        if found is None:
            raise BedrockError("ResourceNotFoundException", f"Could not find the {self.noun} {identifier}.", status=404)
        return found

    def _get(self, operation: str, identifier: str) -> dict[str, Any]:
        """A Get: the resource after one more status check."""
        with self._lock:
            self.calls.append(operation)
            found = self._find(identifier)
            found.check()
            return found.describe()

    def _matching(self, operation: str, query: dict[str, Any]) -> list[Any]:
        """A List's resources, filtered as its query asks."""
        with self._lock:
            self.calls.append(operation)
            items = list(self.resources().values())
        if query.get("nameContains"):
            items = [r for r in items if query["nameContains"] in r.name]
        if query.get("statusEquals"):
            items = [r for r in items if r.status == query["statusEquals"]]
        if query.get("modelArnEquals"):
            items = [r for r in items if r.model_arn == query["modelArnEquals"]]
        return items
