"""Emulated Bedrock custom models: CreateCustomModel, GetCustomModel, ListCustomModels and
DeleteCustomModel, patched into moto's Bedrock (moto 5.2.5 has no CreateCustomModel, and its
GetCustomModel has no modelStatus).

It answers like the service, from AWS's data rather than the workflow's beliefs: every request
is first checked against its operation's shapes in botocore's service model (service_model.py),
then against the documented rules beyond the shapes (bedrock_contract.py, each with a stable id
in EMULATOR_RULES): one model source; an S3 source in the caller's Amazon-managed escrow bucket,
with a role; a model package in the caller's account and region that exists in moto's SageMaker;
tag rules. A name already taken is a ConflictException; a repeated clientRequestToken returns the
first call's result without error. A model starts Creating and reaches its final status on the
Nth GetCustomModel (BedrockBehaviour.polls): Active, Failed with a failureMessage, or never
("stuck"); an S3 source holding no objects is accepted and then Failed.
Imported model ARNs have the service's shape: custom-model/imported/<12 lowercase alnum>.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import string
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from botocore import xform_name

from sandbox import bedrock_contract as contract
from sandbox import service_model
from sandbox.bedrock_contract import EMULATOR_RULES, Rule
from sandbox.quotas import Quotas

__all__ = ["EMULATOR_RULES", "BedrockBehaviour", "CustomModelStore", "EmulatedBedrock", "Rule"]

OUTCOMES = ("active", "failed", "stuck")
INVOKE_OUTCOMES = ("ok", "error")
DEFAULT_DEPLOYMENT_FAILURE_MESSAGE = (
    "The custom model deployment failed: this model is not supported for on-demand deployment. "
    "On-demand deployment supports Amazon Nova models customized on or after July 16, 2025 (PEFT only)."
)
DEFAULT_INVOKE_ERROR_MESSAGE = "The model returned an error while processing the request."
DEFAULT_FAILURE_MESSAGE = (
    "The model artifacts could not be imported: no supported checkpoint was found at the source URI. "
    "Check that it points at the checkpoint folder of a SageMaker training job."
)
_FINAL_STATUS = {"active": "Active", "failed": "Failed", "stuck": "Creating"}


FAILURE_MESSAGE_MAX = 2000  # 2,048 (botocore: bedrock ErrorMessage max) less the longest prefix the emulator adds


@dataclass
class BedrockBehaviour:
    """What the emulated Bedrock does with each model it creates."""

    outcome: str = "active"  # active | failed | stuck (never leaves Creating)
    polls: int = 2  # the Nth GetCustomModel of a model answers its final status
    failure_message: str = DEFAULT_FAILURE_MESSAGE
    per_model: dict[str, BedrockBehaviour] = field(default_factory=dict)  # by model name
    quotas: Quotas = field(default_factory=Quotas)  # the account's import quotas (sandbox/quotas.py)
    # After Active (sandbox/deployments.py, provisioned.py, runtime.py); per_model applies by the
    # name of the custom or imported model deployed or invoked. Statuses move on the Nth Get (polls).
    deployment: str = "active"  # active | failed | stuck: a deployment, an update, a Provisioned Throughput
    deployment_failure_message: str = DEFAULT_DEPLOYMENT_FAILURE_MESSAGE
    warmup: int = 0  # the first N invocations of each invocable ARN answer ModelNotReadyException
    invoke: str = "ok"  # ok | error: every invocation answers ModelErrorException
    invoke_error_message: str = DEFAULT_INVOKE_ERROR_MESSAGE

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {self.outcome!r}")
        if self.polls < 1:
            raise ValueError(f"polls must be at least 1, got {self.polls}")
        if self.deployment not in OUTCOMES:
            raise ValueError(f"deployment must be one of {', '.join(OUTCOMES)}, got {self.deployment!r}")
        if isinstance(self.warmup, bool) or not isinstance(self.warmup, int) or self.warmup < 0:
            raise ValueError(f"warmup must be a whole number of at least 0, got {self.warmup!r}")
        if self.invoke not in INVOKE_OUTCOMES:
            raise ValueError(f"invoke must be one of {', '.join(INVOKE_OUTCOMES)}, got {self.invoke!r}")
        # Bedrock's failureMessage (GetCustomModel, GetCustomModelDeployment, GetProvisionedModelThroughput)
        # is an ErrorMessage of at most 2,048 characters in botocore's bedrock model: the emulator never
        # answers a longer one (the deployment's also gets a Provisioned Throughput prefix: room for it).
        for name in ("failure_message", "deployment_failure_message"):
            if len(getattr(self, name)) > FAILURE_MESSAGE_MAX:
                raise ValueError(f"{name} must be at most {FAILURE_MESSAGE_MAX} characters (Bedrock's ErrorMessage is at most 2048)")

    def for_model(self, name: str) -> BedrockBehaviour:
        return self.per_model.get(name, self)


@dataclass
class EmulatedModel:
    name: str
    arn: str
    source_uri: str | None
    role_arn: str | None
    kms_key_arn: str | None
    tags: list[dict[str, str]]
    token: str | None
    created: datetime
    behaviour: BedrockBehaviour
    status: str = "Creating"
    failure_message: str | None = None
    status_checks: int = 0

    def check(self) -> None:
        """One GetCustomModel: the status moves on when this is the Nth."""
        self.status_checks += 1
        if self.status == "Creating" and self.status_checks >= self.behaviour.polls:
            self.status = _FINAL_STATUS[self.behaviour.outcome]
            if self.status == "Failed":
                self.failure_message = self.behaviour.failure_message

    def describe(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "modelArn": self.arn,
            "modelName": self.name,
            "creationTime": _iso(self.created),
            "customizationType": "IMPORTED",
            "modelStatus": self.status,
        }
        if self.kms_key_arn:
            body["modelKmsKeyArn"] = self.kms_key_arn
        if self.status == "Failed" and self.failure_message:
            body["failureMessage"] = self.failure_message
        return body


class BedrockError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.fields = fields or {}  # the error shape's other members (ModelErrorException: originalStatusCode, ...)

    def response(self) -> tuple[int, dict[str, str], str]:
        """(status, headers, body); moto reads the status from the "status" header."""
        headers = {"x-amzn-ErrorType": self.code, "Content-Type": "application/json", "status": str(self.status)}
        return self.status, headers, json.dumps({"message": self.message, **self.fields})


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CustomModelStore:
    """The custom models of one account and region."""

    def __init__(self, account_id: str, region: str, behaviour: BedrockBehaviour, restricted_packages: set[str] | None = None) -> None:
        self.account_id = account_id
        self.restricted_packages = restricted_packages if restricted_packages is not None else set()
        self.region = region
        self.behaviour = behaviour
        self.models: dict[str, EmulatedModel] = {}  # by name
        self.tokens: dict[str, str] = {}  # clientRequestToken -> modelArn
        self.calls: list[str] = []  # operation names, in order
        self.created: list[str] = []  # the name of each model CreateCustomModel made, in order
        self.replays: list[str] = []  # names answered from a repeated clientRequestToken (no new model)
        self.conflicts: list[str] = []  # names refused with ConflictException (already taken)
        self.refusals: list[tuple[str, str | None]] = []  # (EMULATOR_RULES id, modelName) of each refused request
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- operations

    def refuse(self, broken: contract.Broken, name: str | None) -> BedrockError:
        self.refusals.append((broken.rule.id, name))
        status = 404 if broken.rule.error == "ResourceNotFoundException" else 400
        return BedrockError(broken.rule.error, broken.message, status=status)

    def create(self, params: dict[str, Any]) -> dict[str, Any]:
        """CreateCustomModel, on a request that already meets its input shape."""
        name = params["modelName"]
        problems = contract.create_custom_model_problems(params, self.account_id, self.region)
        if problems:
            raise self.refuse(problems[0], name)
        source = (params.get("modelSourceConfig") or {}).get("s3DataSource", {}).get("s3Uri")
        package = (params.get("customModelDataSource") or {}).get("modelPackageArnDataSource", {}).get("modelPackageArn")
        tags = list(params.get("modelTags") or [])
        token = params.get("clientRequestToken")
        with self._lock:
            self.calls.append("CreateCustomModel")
            if token and token in self.tokens:
                self.replays.append(name)
                return {"modelArn": self.tokens[token]}  # idempotent: the first call's result
            if name in self.models:
                self.conflicts.append(name)
                raise self.refuse(
                    contract.Broken(contract.NAME_TAKEN, f"A custom model with the name {name} already exists."), name
                )
            if package and not contract.model_package_exists(self.account_id, self.region, package):
                message = f"The model package {package} was not found. Check the ARN and try again."
                raise self.refuse(contract.Broken(contract.MODEL_PACKAGE_EXISTS, message), name)
            if package and package not in self.restricted_packages:
                message = (
                    f"The model package {package} is not of the restricted type: create it with "
                    "ManagedStorageType=Restricted."
                )
                raise self.refuse(contract.Broken(contract.MODEL_PACKAGE_RESTRICTED, message), name)
            behaviour = self.behaviour.for_model(name)
            if source and not contract.s3_prefix_has_objects(self.account_id, source):
                # AWS accepts the request and fails the import: Failed where it would have finished.
                behaviour = replace(behaviour, per_model={}, failure_message=contract.empty_source_message(source))
                if behaviour.outcome == "active":
                    behaviour.outcome = "failed"
            self.behaviour.quotas.admit(list(self.models.values()), name)
            arn = f"arn:aws:bedrock:{self.region}:{self.account_id}:custom-model/imported/{_model_id()}"
            self.models[name] = EmulatedModel(
                name=name,
                arn=arn,
                source_uri=source or package,
                role_arn=params.get("roleArn"),
                kms_key_arn=params.get("modelKmsKeyArn"),
                tags=tags,
                token=token,
                created=datetime.now(UTC),
                behaviour=behaviour,
            )
            if token:
                self.tokens[token] = arn
            self.created.append(name)
            return {"modelArn": arn}

    def _find(self, identifier: str) -> EmulatedModel:
        for model in self.models.values():
            if identifier in (model.name, model.arn):
                return model
        raise BedrockError("ResourceNotFoundException", f"Could not find the model {identifier}.", status=404)

    def get(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("GetCustomModel")
            model = self._find(params["modelIdentifier"])
            model.check()
            return model.describe()

    def delete(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("DeleteCustomModel")
            model = self._find(params["modelIdentifier"])
            del self.models[model.name]
            return {}

    def list(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append("ListCustomModels")
            models = list(self.models.values())
        name_contains, status = params.get("nameContains"), params.get("modelStatus")
        sort_order = params.get("sortOrder") or "Descending"
        max_results = params.get("maxResults") or 1000
        if name_contains:
            models = [m for m in models if name_contains in m.name]
        if status:
            models = [m for m in models if m.status == status]
        for bound, keep in (("creationTimeBefore", lambda m, t: m.created < t), ("creationTimeAfter", lambda m, t: m.created > t)):
            if params.get(bound) is not None:
                moment = _moment(params[bound])
                models = [m for m in models if keep(m, moment)]
        models.sort(key=lambda m: m.created, reverse=sort_order == "Descending")
        start = _decode_token(params.get("nextToken"))
        page = models[start : start + max_results]
        body: dict[str, Any] = {
            "modelSummaries": [
                {
                    "modelArn": m.arn,
                    "modelName": m.name,
                    "creationTime": _iso(m.created),
                    "customizationType": "IMPORTED",
                    "ownerAccountId": self.account_id,
                    "modelStatus": m.status,
                }
                for m in page
            ]
        }
        if start + max_results < len(models):
            body["nextToken"] = base64.urlsafe_b64encode(str(start + max_results).encode()).decode()
        return body


def _model_id() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(12))


def _moment(value: Any) -> datetime:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except ValueError:
        raise BedrockError("ValidationException", "The pagination token is not valid.") from None


class EmulatedBedrock:
    """One store per resource kind, account and region, served through moto's Bedrock (and
    bedrock-runtime) responses: custom models here, import jobs (import_jobs.py), deployments
    (deployments.py), Provisioned Throughput (provisioned.py), invocations (runtime.py), tags (tags.py)."""

    def __init__(self, behaviour: BedrockBehaviour | None = None) -> None:
        self.behaviour = behaviour or BedrockBehaviour()
        self._stores: dict[tuple[str, str], CustomModelStore] = {}
        self._others: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()
        # ARNs of SageMaker model packages created with ManagedStorageType=Restricted (moto keeps no such field)
        self.restricted_packages: set[str] = set()
        from sandbox.import_jobs import EmulatedImportJobs

        self.import_jobs = EmulatedImportJobs(self.behaviour)  # Custom Model Import: its own module and store

    def store(self, account_id: str, region: str) -> CustomModelStore:
        with self._lock:
            key = (account_id, region)
            if key not in self._stores:
                self._stores[key] = CustomModelStore(account_id, region, self.behaviour, self.restricted_packages)
            return self._stores[key]

    def _other(self, kind: str, account_id: str, region: str) -> Any:
        models = self.store(account_id, region)
        with self._lock:
            key = (kind, account_id, region)
            if key not in self._others:
                from sandbox.deployments import DeploymentStore
                from sandbox.provisioned import ThroughputStore
                from sandbox.runtime import RuntimeStore
                from sandbox.tags import TagStore

                make = {
                    "deployments": lambda: DeploymentStore(account_id, region, self.behaviour, models),
                    "throughputs": lambda: ThroughputStore(account_id, region, self.behaviour, models),
                    "runtime": lambda: RuntimeStore(account_id, region, self.behaviour, self),
                    "tags": lambda: TagStore(account_id, region, self),
                }
                self._others[key] = make[kind]()
            return self._others[key]

    def deployment_store(self, account_id: str, region: str) -> Any:
        return self._other("deployments", account_id, region)

    def throughput_store(self, account_id: str, region: str) -> Any:
        return self._other("throughputs", account_id, region)

    def runtime_store(self, account_id: str, region: str) -> Any:
        return self._other("runtime", account_id, region)

    def _route(self, operation: str, account_id: str, region: str) -> tuple[Any, str]:
        """The store serving an operation here, and its method's name."""
        from sandbox.deployments import DEPLOYMENT_OPERATIONS
        from sandbox.import_jobs import IMPORT_OPERATIONS
        from sandbox.provisioned import THROUGHPUT_OPERATIONS
        from sandbox.runtime import RUNTIME_OPERATIONS
        from sandbox.tags import TAG_OPERATIONS

        if operation in OPERATIONS:
            return self.store(account_id, region), OPERATIONS[operation]
        if operation in IMPORT_OPERATIONS:
            return self.import_jobs.store(account_id, region), IMPORT_OPERATIONS[operation]
        for kind, table in (("deployments", DEPLOYMENT_OPERATIONS), ("throughputs", THROUGHPUT_OPERATIONS),
                            ("runtime", RUNTIME_OPERATIONS), ("tags", TAG_OPERATIONS)):  # fmt: skip
            if operation in table:
                return self._other(kind, account_id, region), table[operation]
        raise KeyError(operation)

    def handle(self, operation: str, account_id: str, region: str, request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        """One request to an emulated operation: (status, headers, body). The input is checked
        against the operation's shapes in botocore's service model before the store sees it."""
        from sandbox.runtime import RUNTIME_OPERATIONS

        service = "bedrock-runtime" if operation in RUNTIME_OPERATIONS else "bedrock"
        store, method = self._route(operation, account_id, region)
        try:
            payload = service_model.service_model(service).operation_model(operation).input_shape.serialization.get("payload")
            raw = request.get("body")
            try:
                if payload:  # InvokeModel: the body is the model's own bytes, read by the store
                    params = service_model.request_params(operation, **{**request, "body": None}, service=service)
                    params[payload] = raw.encode("utf-8") if isinstance(raw, str) else (raw or b"")
                else:
                    params = service_model.request_params(operation, **request, service=service)
            except ValueError:
                raise BedrockError("ValidationException", "The request body is not valid JSON.") from None
            problems = service_model.violations(operation, params, service=service)
            if problems:
                store.refusals.append((contract.SERVICE_MODEL.id, _name_of(params)))
                raise BedrockError("ValidationException", service_model.validation_message(problems))
            # the tag rules hold for every TagList member of any operation (modelTags, jobTags, tags...)
            tag_problems = contract.tag_problems(service_model.input_shape(operation, service), params)
            if tag_problems:
                raise store.refuse(tag_problems[0], _name_of(params))
            status = service_model.service_model(service).operation_model(operation).http.get("responseCode", 200)
            body = getattr(store, method)(params)
            if isinstance(body, tuple):  # (content type, raw body): InvokeModel
                content_type, raw_body = body
                return status, {"Content-Type": content_type, "status": str(status)}, raw_body
            # moto takes the status from the "status" header
            return status, {"Content-Type": "application/json", "status": str(status)}, json.dumps(body)
        except BedrockError as err:
            return err.response()

    def install(self, patcher: Any) -> None:
        from moto.bedrock.responses import BedrockResponse
        from moto.bedrockruntime.responses import BedrockRuntimeResponse

        emulator = self
        from sandbox.tags import NotEmulated

        def method(operation: str, original: Any = None) -> Any:
            def serve(response: Any) -> Any:
                request = {
                    "body": response.body,
                    "uri": getattr(response, "uri_match", None) or _uri_labels(operation, response.path),
                    "query": {k: v for k, v in response.querystring.items()},
                    "headers": dict(response.headers or {}),
                }
                try:
                    return emulator.handle(operation, response.current_account, response.region, request)
                except NotEmulated:  # a resource of moto's own Bedrock (a customization job): moto answers
                    return original(response)

            return serve

        from moto.sagemaker.responses import SageMakerResponse

        create_model_package = SageMakerResponse.create_model_package

        def create_restricted_aware_model_package(self: Any) -> Any:
            result = create_model_package(self)
            if self._get_param("ManagedStorageType") == "Restricted":
                emulator.restricted_packages.add(result.result["ModelPackageArn"])
            return result

        patcher.setattr(SageMakerResponse, "create_model_package", create_restricted_aware_model_package)
        from sandbox.deployments import DEPLOYMENT_OPERATIONS
        from sandbox.import_jobs import IMPORT_OPERATIONS
        from sandbox.provisioned import THROUGHPUT_OPERATIONS
        from sandbox.runtime import RUNTIME_OPERATIONS
        from sandbox.tags import TAG_OPERATIONS

        for operation in {**OPERATIONS, **IMPORT_OPERATIONS, **DEPLOYMENT_OPERATIONS, **THROUGHPUT_OPERATIONS, **TAG_OPERATIONS}:
            name = xform_name(operation)
            # moto 5.2.5 lacks some (CreateCustomModel); the others it has replace.
            patcher.setattr(BedrockResponse, name, method(operation, getattr(BedrockResponse, name, None)), must_exist=hasattr(BedrockResponse, name))
        # moto's bedrock-runtime: an InvokeModel stub, no Converse
        for operation in RUNTIME_OPERATIONS:
            name = xform_name(operation)
            patcher.setattr(BedrockRuntimeResponse, name, method(operation), must_exist=name == "invoke_model")


def _name_of(params: dict[str, Any]) -> str | None:
    """The name a refusal is recorded under: the resource the request names."""
    for key in ("modelName", "modelDeploymentName", "provisionedModelName", "customModelDeploymentIdentifier",
                "provisionedModelId", "modelId", "resourceARN"):  # fmt: skip
        if isinstance(params.get(key), str):
            return params[key]
    return None


# The operations the emulator serves, and the CustomModelStore method serving each (it gets the
# request's members, already valid against the operation's input shape and the tag rules). An
# operation added here is validated from botocore's service model with no further code.
OPERATIONS = {
    "CreateCustomModel": "create",
    "GetCustomModel": "get",
    "DeleteCustomModel": "delete",
    "ListCustomModels": "list",
}


def _uri_labels(operation: str, path: str) -> dict[str, str]:
    """The URI labels of a request path, read with the operation's requestUri template."""
    from sandbox.runtime import RUNTIME_OPERATIONS

    service = "bedrock-runtime" if operation in RUNTIME_OPERATIONS else "bedrock"
    template = service_model.service_model(service).operation_model(operation).http["requestUri"].split("?", 1)[0]
    pattern = re.sub(r"\\{(\w+)(?:\\\+)?\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(template))
    found = re.fullmatch(pattern, path.split("?", 1)[0])
    return found.groupdict() if found else {}
