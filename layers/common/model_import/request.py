"""The import request every later step works from, and its idempotency token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from model_import.inputs import Trigger
from model_import.kinds import IMPORT_APIS, KIND_CHECKPOINT


def request_token(trigger: Trigger | None, execution_arn: str, approved_package: str | None = None) -> str:
    """The clientRequestToken of CreateCustomModel or CreateModelImportJob, derived from the trigger's identity.

    The same upload delivered twice (same bucket, key and version-id, or sequencer on an
    unversioned bucket) gives the same token, so Bedrock creates one model. A manual start is
    a deliberate request: its identity is its own execution. A Model Registry approval's identity is
    the package (`approved_package`): the same package approved twice is one import. 64 hex digits,
    which always matches Bedrock's token pattern.
    """
    import hashlib  # here, not at module level: OpenSSL's ~2.5 ms stay out of the handlers' import

    if approved_package is not None:
        identity = "\n".join(("model-package", approved_package))
    elif trigger is not None and (trigger.version_id or trigger.sequencer):
        identity = "\n".join(("s3", trigger.bucket, trigger.key, trigger.version_id or "", trigger.sequencer or ""))
    else:
        identity = "\n".join(("execution", execution_arn))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


class DeployRequest(NamedTuple):  # a NamedTuple, not a dataclass: cheaper at cold start (bench/cold_start.py)
    """The deployment to create once the model is Active (model_import/deploy_options.py resolves it)."""

    mode: str  # "on-demand" | "provisioned" (never "none": no deployment is request.deploy None)
    name: str  # the custom model deployment's or the Provisioned Throughput's name
    model_units: int | None = None  # provisioned only

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "name": self.name, "modelUnits": self.model_units}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DeployRequest | None:
        return cls(data["mode"], data["name"], data.get("modelUnits")) if data else None


class SmokeTestRequest(NamedTuple):
    """The one call made against whatever is invocable once the model (and its deployment) is ready."""

    prompt: str
    max_tokens: int

    def to_dict(self) -> dict[str, Any]:
        return {"prompt": self.prompt, "maxTokens": self.max_tokens}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SmokeTestRequest | None:
        return cls(data["prompt"], data["maxTokens"]) if data else None


@dataclass(frozen=True)
class ImportRequest:
    model_name: str
    source_uri: str | None  # the escrow URI (KIND_CHECKPOINT) or the folder (KIND_OPEN_WEIGHTS), else None
    tags: dict[str, str]
    client_request_token: str
    trigger: Trigger | None
    kind: str = KIND_CHECKPOINT
    model_package_arn: str | None = None  # KIND_MODEL_PACKAGE
    model_kms_key_arn: str | None = None  # a key the request named (one of AllowedModelKmsKeyArns)
    deploy: DeployRequest | None = None  # what to make invocable after Active; None: nothing
    smoke_test: SmokeTestRequest | None = None  # the call to make once invocable; None: none

    @property
    def import_api(self) -> str:
        return IMPORT_APIS[self.kind]

    @property
    def source(self) -> str:
        """What is imported, as one string (for logs and provenance): the S3 URI or the package ARN."""
        return self.source_uri or self.model_package_arn or ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "importApi": self.import_api,
            "modelName": self.model_name,
            "sourceUri": self.source_uri,
            "modelPackageArn": self.model_package_arn,
            "modelKmsKeyArn": self.model_kms_key_arn,
            "tags": dict(self.tags),
            "clientRequestToken": self.client_request_token,
            "trigger": self.trigger.to_dict() if self.trigger else None,
            # Added with deployment after import (additive; the ASL's Choice states read them).
            "deploy": self.deploy.to_dict() if self.deploy else None,
            "smokeTest": self.smoke_test.to_dict() if self.smoke_test else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportRequest:
        trigger = data.get("trigger")
        return cls(
            model_name=data["modelName"],
            source_uri=data.get("sourceUri"),
            tags=dict(data.get("tags") or {}),
            client_request_token=data["clientRequestToken"],
            trigger=Trigger(trigger["bucket"], trigger["key"], trigger.get("versionId"), trigger.get("sequencer"))
            if trigger
            else None,
            kind=data.get("kind", KIND_CHECKPOINT),
            model_package_arn=data.get("modelPackageArn"),
            model_kms_key_arn=data.get("modelKmsKeyArn"),
            deploy=DeployRequest.from_dict(data.get("deploy")),  # absent in requests made before it: None
            smoke_test=SmokeTestRequest.from_dict(data.get("smokeTest")),
        )
