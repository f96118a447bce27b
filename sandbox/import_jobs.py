"""Emulated Bedrock Custom Model Import: CreateModelImportJob, GetModelImportJob, ListModelImportJobs,
and the imported models a job makes (GetImportedModel, ListImportedModels, DeleteImportedModel),
served by sandbox/bedrock.py's EmulatedBedrock (moto 5.2.5 has none of them): it checks every
request against the operation's shapes in botocore's service model (service_model.py) and the tag
rules, then calls the store method IMPORT_OPERATIONS names with the request's members.

The same store shape as CustomModelStore (calls, created, replays, conflicts, refusals; the same
BedrockBehaviour): a job starts InProgress and reaches its final status on the Nth
GetModelImportJob (Completed, which creates the imported model; Failed with a failureMessage; or
never: "stuck"). A repeated clientRequestToken returns the first call's job. The documented rules
(bedrock_contract.IMPORT_JOB_RULES, each refusal recorded by its id): an importedModelName taken (or
being imported) or a jobName taken is a ConflictException; a source holding no objects makes the
job Failed; an unknown job or imported model is a ResourceNotFoundException. ARNs have the
service's shapes (model-import-job/<12>, imported-model/<12>).
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sandbox import bedrock_contract as contract
from sandbox.bedrock import BedrockBehaviour, BedrockError, DEFAULT_FAILURE_MESSAGE, _iso, _model_id

DEFAULT_IMPORT_FAILURE_MESSAGE = (
    "The model import job failed: the model files at the source could not be loaded. Check that the folder "
    "holds a supported Hugging Face model (config.json, tokenizer files, .safetensors weights)."
)
_FINAL_STATUS = {"active": "Completed", "failed": "Failed", "stuck": "InProgress"}


#: The operations this module serves, and the ImportJobStore method serving each.
IMPORT_OPERATIONS = {
    "CreateModelImportJob": "create",
    "GetModelImportJob": "get_job",
    "ListModelImportJobs": "list_jobs",
    "GetImportedModel": "get_model",
    "DeleteImportedModel": "delete_model",
    "ListImportedModels": "list_models",
}


@dataclass
class ImportedModel:
    name: str
    arn: str
    job_name: str
    job_arn: str
    source_uri: str
    kms_key_arn: str | None
    tags: list[dict[str, str]]
    created: datetime
    # Read from the model files, as Bedrock detects them: config.json's model_type, and whether
    # tokenizer_config.json has a chat_template (Converse needs one: custom-model-import-code-samples-converse).
    architecture: str = "llama"
    instruct: bool = False

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "modelArn": self.arn,
            "modelName": self.name,
            "jobName": self.job_name,
            "jobArn": self.job_arn,
            "modelDataSource": {"s3DataSource": {"s3Uri": self.source_uri}},
            "creationTime": _iso(self.created),
            "modelArchitecture": self.architecture,
            "instructSupported": self.instruct,
            "customModelUnits": {"customModelUnitsPerModelCopy": 1, "customModelUnitsVersion": "v1.0"},
        }
        if self.kms_key_arn:
            body["modelKmsKeyArn"] = self.kms_key_arn
        return body


@dataclass
class ImportJob:
    name: str
    arn: str
    model_name: str
    role_arn: str
    source_uri: str
    kms_key: str | None
    job_tags: list[dict[str, str]]
    model_tags: list[dict[str, str]]
    token: str | None
    created: datetime
    behaviour: BedrockBehaviour
    status: str = "InProgress"
    failure_message: str | None = None
    model: ImportedModel | None = None
    ended: datetime | None = None
    status_checks: int = 0

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "jobArn": self.arn,
            "jobName": self.name,
            "importedModelName": self.model_name,
            "roleArn": self.role_arn,
            "modelDataSource": {"s3DataSource": {"s3Uri": self.source_uri}},
            "status": self.status,
            "creationTime": _iso(self.created),
            "lastModifiedTime": _iso(self.ended or self.created),
        }
        if self.model is not None:
            body["importedModelArn"] = self.model.arn
            if self.model.kms_key_arn:
                body["importedModelKmsKeyArn"] = self.model.kms_key_arn
        if self.ended is not None:
            body["endTime"] = _iso(self.ended)
        if self.failure_message:
            body["failureMessage"] = self.failure_message
        return body


class ImportJobStore:
    """The import jobs and imported models of one account and region."""

    def __init__(self, account_id: str, region: str, behaviour: BedrockBehaviour) -> None:
        self.account_id = account_id
        self.region = region
        self.behaviour = behaviour
        self.jobs: dict[str, ImportJob] = {}  # by job name
        self.models: dict[str, ImportedModel] = {}  # imported models, by name
        self.tokens: dict[str, str] = {}  # clientRequestToken -> jobArn
        self.calls: list[str] = []
        self.created: list[str] = []  # the importedModelName of each job CreateModelImportJob started, in order
        self.replays: list[str] = []
        self.conflicts: list[str] = []
        self.refusals: list[tuple[str, str | None]] = []  # (EMULATOR_RULES id, name) of each refused request
        self._lock = threading.Lock()

    def refuse(self, broken: Any, name: str | None) -> BedrockError:
        self.refusals.append((broken.rule.id, name))
        status = 404 if broken.rule.error == "ResourceNotFoundException" else 400
        return BedrockError(broken.rule.error, broken.message, status=status)

    def _arn(self, resource: str) -> str:
        return f"arn:aws:bedrock:{self.region}:{self.account_id}:{resource}/{_model_id()}"

    def create(self, request: dict[str, Any]) -> dict[str, Any]:
        name, model_name = request["jobName"], request["importedModelName"]
        token = request.get("clientRequestToken")
        kms = request.get("importedModelKmsKeyId")
        with self._lock:
            self.calls.append("CreateModelImportJob")
            if token and token in self.tokens:
                self.replays.append(model_name)
                return {"jobArn": self.tokens[token]}
            busy = any(j.model_name == model_name and j.status == "InProgress" for j in self.jobs.values())
            if model_name in self.models or busy:
                self.conflicts.append(model_name)
                message = f"An imported model with the name {model_name} already exists or is being imported."
                raise self.refuse(contract.Broken(contract.IMPORTED_MODEL_NAME_TAKEN, message), model_name)
            if name in self.jobs:
                self.conflicts.append(model_name)
                message = f"A model import job with the name {name} already exists."
                raise self.refuse(contract.Broken(contract.IMPORT_JOB_NAME_TAKEN, message), model_name)
            arn = self._arn("model-import-job")
            self.jobs[name] = ImportJob(
                name=name,
                arn=arn,
                model_name=model_name,
                role_arn=request["roleArn"],
                source_uri=request["modelDataSource"]["s3DataSource"]["s3Uri"],
                kms_key=kms,
                job_tags=list(request.get("jobTags") or []),
                model_tags=list(request.get("importedModelTags") or []),
                token=token,
                created=datetime.now(UTC),
                behaviour=self._behaviour(model_name, request["modelDataSource"]["s3DataSource"]["s3Uri"]),
            )
            if token:
                self.tokens[token] = arn
            self.created.append(model_name)
            return {"jobArn": arn}

    def _behaviour(self, model_name: str, source: str) -> BedrockBehaviour:
        """bedrock_contract.IMPORT_EMPTY_SOURCE (as EMPTY_SOURCE for CreateCustomModel): a folder
        holding no objects is accepted, and the job then fails."""
        behaviour = self.behaviour.for_model(model_name)
        if contract.s3_prefix_has_objects(self.account_id, source):
            return behaviour
        message = f"No model files were found at {source}. Check that the URI points at the folder of a Hugging Face model."
        return replace(behaviour, per_model={}, failure_message=message, outcome="failed" if behaviour.outcome == "active" else behaviour.outcome)

    def _advance(self, job: ImportJob) -> None:
        """One GetModelImportJob: the status moves on when this is the Nth."""
        job.status_checks += 1
        if job.status != "InProgress" or job.status_checks < job.behaviour.polls:
            return
        job.status = _FINAL_STATUS[job.behaviour.outcome]
        if job.status == "InProgress":
            return
        job.ended = datetime.now(UTC)
        if job.status == "Failed":
            message = job.behaviour.failure_message
            job.failure_message = DEFAULT_IMPORT_FAILURE_MESSAGE if message == DEFAULT_FAILURE_MESSAGE else message
            return
        key = job.kms_key if job.kms_key and job.kms_key.startswith("arn:") and ":key/" in job.kms_key else None
        job.model = ImportedModel(
            name=job.model_name,
            arn=self._arn("imported-model"),
            job_name=job.name,
            job_arn=job.arn,
            source_uri=job.source_uri,
            kms_key_arn=key,
            tags=job.model_tags,
            created=job.ended,
            **_detected(self.account_id, job.source_uri),
        )
        self.models[job.model_name] = job.model

    def _find_job(self, identifier: str) -> ImportJob:
        for job in self.jobs.values():
            if identifier in (job.name, job.arn):
                return job
        raise self.refuse(contract.Broken(contract.IMPORT_JOB_EXISTS, f"Could not find the model import job {identifier}."), None)

    def get_job(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("GetModelImportJob")
            job = self._find_job(params["jobIdentifier"])
            self._advance(job)
            return job.describe()

    def _find_model(self, identifier: str) -> ImportedModel:
        for model in self.models.values():
            if identifier in (model.name, model.arn):
                return model
        raise self.refuse(contract.Broken(contract.IMPORTED_MODEL_EXISTS, f"Could not find the imported model {identifier}."), None)

    def get_model(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("GetImportedModel")
            return self._find_model(params["modelIdentifier"]).describe()

    def delete_model(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("DeleteImportedModel")
            model = self._find_model(params["modelIdentifier"])
            del self.models[model.name]
            return {}

    def list_jobs(self, query: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("ListModelImportJobs")
            jobs = list(self.jobs.values())
        if query.get("nameContains"):
            jobs = [j for j in jobs if query["nameContains"] in j.name]
        if query.get("statusEquals"):
            jobs = [j for j in jobs if j.status == query["statusEquals"]]
        page, token = _page(jobs, query)
        summaries = [
            {k: v for k, v in j.describe().items() if k in ("jobArn", "jobName", "status", "lastModifiedTime", "creationTime", "endTime", "importedModelArn", "importedModelName")}
            for j in page
        ]
        return {"modelImportJobSummaries": summaries, **({"nextToken": token} if token else {})}

    def list_models(self, query: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("ListImportedModels")
            models = list(self.models.values())
        if query.get("nameContains"):
            models = [m for m in models if query["nameContains"] in m.name]
        page, token = _page(models, query)
        summaries = [
            {"modelArn": m.arn, "modelName": m.name, "creationTime": _iso(m.created), "instructSupported": m.instruct, "modelArchitecture": m.architecture}
            for m in page
        ]
        return {"modelSummaries": summaries, **({"nextToken": token} if token else {})}


def _detected(account_id: str, source_uri: str) -> dict[str, Any]:
    config = contract.s3_json_object(account_id, source_uri, "config.json") or {}
    tokenizer = contract.s3_json_object(account_id, source_uri, "tokenizer_config.json") or {}
    architecture = config.get("model_type") if isinstance(config.get("model_type"), str) and config["model_type"] else "llama"
    return {"architecture": architecture, "instruct": isinstance(tokenizer.get("chat_template"), (str, list)) and bool(tokenizer["chat_template"])}


def _page(items: list[Any], query: dict[str, Any]) -> tuple[list[Any], str | None]:
    items = sorted(items, key=lambda i: i.created, reverse=query.get("sortOrder", "Descending") == "Descending")
    start = 0
    if query.get("nextToken"):
        try:
            start = int(base64.urlsafe_b64decode(query["nextToken"].encode()).decode())
        except ValueError:
            raise BedrockError("ValidationException", "The pagination token is not valid.") from None
    size = int(query.get("maxResults") or 1000)
    token = base64.urlsafe_b64encode(str(start + size).encode()).decode() if start + size < len(items) else None
    return items[start : start + size], token


class EmulatedImportJobs:
    """One ImportJobStore per account and region (EmulatedBedrock serves them)."""

    def __init__(self, behaviour: BedrockBehaviour) -> None:
        self.behaviour = behaviour
        self._stores: dict[tuple[str, str], ImportJobStore] = {}
        self._lock = threading.Lock()

    def store(self, account_id: str, region: str) -> ImportJobStore:
        with self._lock:
            key = (account_id, region)
            if key not in self._stores:
                self._stores[key] = ImportJobStore(account_id, region, self.behaviour)
            return self._stores[key]
