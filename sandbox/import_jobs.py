"""Emulated Bedrock Custom Model Import: CreateModelImportJob, GetModelImportJob, ListModelImportJobs,
and the imported models a job makes (GetImportedModel, ListImportedModels, DeleteImportedModel),
served through moto's Bedrock responses (moto 5.2.5 has none of them).

The same store shape as sandbox/bedrock.py's CustomModelStore (calls, created, replays, conflicts;
the same BedrockBehaviour): a job starts InProgress and reaches its final status on the Nth
GetModelImportJob (Completed, which creates the imported model; Failed with a failureMessage; or
never: "stuck"). Every request is checked against botocore's model of the operation (required
members, lengths, patterns, enums) and answered as the service does, a ValidationException listing
each violation; a repeated clientRequestToken returns the first call's job; an importedModelName
or jobName already taken is a ConflictException. ARNs have the service's shapes
(model-import-job/<12>, imported-model/<12>).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import unquote

from sandbox.bedrock import BedrockBehaviour, BedrockError, DEFAULT_FAILURE_MESSAGE, _iso, _model_id

DEFAULT_IMPORT_FAILURE_MESSAGE = (
    "The model import job failed: the model files at the source could not be loaded. Check that the folder "
    "holds a supported Hugging Face model (config.json, tokenizer files, .safetensors weights)."
)
_FINAL_STATUS = {"active": "Completed", "failed": "Failed", "stuck": "InProgress"}


@cache
def _service_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("bedrock")


def violations(operation: str, params: dict[str, Any]) -> list[str]:
    """What the service's validation would say about `params`, from botocore's model of `operation`:
    required members, string and list lengths, patterns, enums (botocore checks only some of these
    client-side; the service checks all)."""
    shape = _service_model().operation_model(operation).input_shape
    problems: list[str] = []
    _check(shape, params, "", problems)
    return problems


def _check(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    where = path or shape.name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"Value at '{where}' failed to satisfy constraint: Member must be a structure")
            return
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(f"Value null at '{path + '.' if path else ''}{name}' failed to satisfy constraint: Member must not be null")
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check(member, value[name], f"{path + '.' if path else ''}{name}", problems)
        unknown = set(value) - set(shape.members)
        if unknown:
            problems.append(f"Unknown members at '{where}': {sorted(unknown)}")
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"Value at '{where}' failed to satisfy constraint: Member must be a list")
            return
        _length(value, meta, where, problems)
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{where}.{index}.member", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"Value '{value}' at '{where}' failed to satisfy constraint: Member must be a string")
            return
        _length(value, meta, where, problems)
        pattern = meta.get("pattern")
        if pattern is not None and re.fullmatch(pattern, value) is None:
            problems.append(f"Value '{value}' at '{where}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}")
        if shape.enum and value not in shape.enum:
            problems.append(f"Value '{value}' at '{where}' failed to satisfy constraint: Member must satisfy enum value set: [{', '.join(shape.enum)}]")
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"Value '{value}' at '{where}' failed to satisfy constraint: Member must be an integer")
        elif ("min" in meta and value < meta["min"]) or ("max" in meta and value > meta["max"]):
            problems.append(f"Value '{value}' at '{where}' failed to satisfy constraint: Member must have value between {meta.get('min')} and {meta.get('max')}")


def _length(value: Any, meta: dict[str, Any], where: str, problems: list[str]) -> None:
    if "min" in meta and len(value) < meta["min"]:
        problems.append(f"Value at '{where}' failed to satisfy constraint: Member must have length greater than or equal to {meta['min']}")
    if "max" in meta and len(value) > meta["max"]:
        problems.append(f"Value at '{where}' failed to satisfy constraint: Member must have length less than or equal to {meta['max']}")


def _validation_error(problems: list[str]) -> BedrockError:
    noun = "error" if len(problems) == 1 else "errors"
    return BedrockError("ValidationException", f"{len(problems)} validation {noun} detected: " + "; ".join(problems))


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

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "modelArn": self.arn,
            "modelName": self.name,
            "jobName": self.job_name,
            "jobArn": self.job_arn,
            "modelDataSource": {"s3DataSource": {"s3Uri": self.source_uri}},
            "creationTime": _iso(self.created),
            "instructSupported": False,
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
        self._lock = threading.Lock()

    def _arn(self, resource: str) -> str:
        return f"arn:aws:bedrock:{self.region}:{self.account_id}:{resource}/{_model_id()}"

    def create(self, request: dict[str, Any]) -> dict[str, Any]:
        problems = violations("CreateModelImportJob", request)
        if problems:
            raise _validation_error(problems)
        for member in ("jobTags", "importedModelTags"):
            tags = request.get(member) or []
            if len(tags) > 50:  # the service's per-resource limit (domain.md: 50, below the model's 200)
                raise BedrockError("ValidationException", f"The request has {len(tags)} {member}; you can add at most 50 tags per resource.")
            if len({t.get("key") for t in tags}) != len(tags):
                raise BedrockError("ValidationException", "Tag keys must be unique.")
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
                raise BedrockError("ConflictException", f"An imported model with the name {model_name} already exists or is being imported.")
            if name in self.jobs:
                self.conflicts.append(model_name)
                raise BedrockError("ConflictException", f"A model import job with the name {name} already exists.")
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
                behaviour=self.behaviour.for_model(model_name),
            )
            if token:
                self.tokens[token] = arn
            self.created.append(model_name)
            return {"jobArn": arn}

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
        )
        self.models[job.model_name] = job.model

    def _find_job(self, identifier: str) -> ImportJob:
        problems = violations("GetModelImportJob", {"jobIdentifier": identifier})
        if problems:
            raise _validation_error(problems)
        for job in self.jobs.values():
            if identifier in (job.name, job.arn):
                return job
        raise BedrockError("ResourceNotFoundException", f"Could not find the model import job {identifier}.", status=404)

    def get_job(self, identifier: str) -> dict[str, Any]:
        with self._lock:
            self.calls.append("GetModelImportJob")
            job = self._find_job(identifier)
            self._advance(job)
            return job.describe()

    def _find_model(self, operation: str, identifier: str) -> ImportedModel:
        problems = violations(operation, {"modelIdentifier": identifier})
        if problems:
            raise _validation_error(problems)
        for model in self.models.values():
            if identifier in (model.name, model.arn):
                return model
        raise BedrockError("ResourceNotFoundException", f"Could not find the imported model {identifier}.", status=404)

    def get_model(self, identifier: str) -> dict[str, Any]:
        with self._lock:
            self.calls.append("GetImportedModel")
            return self._find_model("GetImportedModel", identifier).describe()

    def delete_model(self, identifier: str) -> dict[str, Any]:
        with self._lock:
            self.calls.append("DeleteImportedModel")
            model = self._find_model("DeleteImportedModel", identifier)
            del self.models[model.name]
            return {}

    def list_jobs(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("ListModelImportJobs")
            jobs = list(self.jobs.values())
        query = _query(params, "ListModelImportJobs")
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

    def list_models(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("ListImportedModels")
            models = list(self.models.values())
        query = _query(params, "ListImportedModels")
        if query.get("nameContains"):
            models = [m for m in models if query["nameContains"] in m.name]
        page, token = _page(models, query)
        summaries = [
            {"modelArn": m.arn, "modelName": m.name, "creationTime": _iso(m.created), "instructSupported": False, "modelArchitecture": ""}
            for m in page
        ]
        return {"modelSummaries": summaries, **({"nextToken": token} if token else {})}


def _query(params: dict[str, Any], operation: str) -> dict[str, Any]:
    """A list call's query string, typed and validated against botocore's model."""
    shape = _service_model().operation_model(operation).input_shape
    query: dict[str, Any] = {}
    for name, value in params.items():
        value = value[0] if isinstance(value, list) else value
        member = shape.members.get(name)
        if member is not None and member.type_name == "integer":
            try:
                value = int(value)
            except ValueError:
                raise _validation_error([f"Value '{value}' at '{name}' failed to satisfy constraint: Member must be an integer"]) from None
        if member is not None and member.type_name == "timestamp":
            continue  # creationTime filters: not needed by the sandbox's callers
        query[name] = value
    problems = violations(operation, query)
    if problems:
        raise _validation_error(problems)
    return query


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
    """One ImportJobStore per account and region, served through moto's Bedrock responses."""

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

    def install(self, patcher: Any) -> None:
        from moto.bedrock.responses import BedrockResponse

        emulator = self

        def serve(response: Any, call: Any, status: int = 200) -> tuple[int, dict[str, str], str]:
            store = emulator.store(response.current_account, response.region)
            try:
                return status, {"Content-Type": "application/json", "status": str(status)}, json.dumps(call(store))
            except BedrockError as err:
                return err.response()

        def tail(response: Any, collection: str) -> str:
            return unquote(response.path.split(f"/{collection}/", 1)[-1])

        def create_model_import_job(self: Any) -> Any:
            try:
                request = json.loads(self.body or "{}")
            except ValueError:
                return BedrockError("ValidationException", "The request body is not valid JSON.").response()
            return serve(self, lambda store: store.create(request), status=201)

        handlers = {
            "create_model_import_job": create_model_import_job,
            "get_model_import_job": lambda self: serve(self, lambda s: s.get_job(tail(self, "model-import-jobs"))),
            "list_model_import_jobs": lambda self: serve(self, lambda s: s.list_jobs(dict(self.querystring))),
            "get_imported_model": lambda self: serve(self, lambda s: s.get_model(tail(self, "imported-models"))),
            "delete_imported_model": lambda self: serve(self, lambda s: s.delete_model(tail(self, "imported-models"))),
            "list_imported_models": lambda self: serve(self, lambda s: s.list_models(dict(self.querystring))),
        }
        for name, handler in handlers.items():
            patcher.setattr(BedrockResponse, name, handler, must_exist=False)  # moto 5.2.5 has none of them
