"""Emulated Bedrock custom models: CreateCustomModel, GetCustomModel, ListCustomModels and
DeleteCustomModel, patched into moto's Bedrock (moto 5.2.5 has no CreateCustomModel, and its
GetCustomModel has no modelStatus).

It answers like the service: the request members' patterns and lengths (from the same
model_import.bedrock_rules the workflow checks with, so the rules live once) as a
ValidationException listing every violation; at most 50 tags; a name already taken as a
ConflictException; a repeated clientRequestToken returns the first call's result without
error. A model starts Creating and reaches its final status on the Nth GetCustomModel
(BedrockBehaviour.polls): Active, Failed with a failureMessage, or never ("stuck").
Imported model ARNs have the service's shape: custom-model/imported/<12 lowercase alnum>.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import string
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

OUTCOMES = ("active", "failed", "stuck")
DEFAULT_FAILURE_MESSAGE = (
    "The model artifacts could not be imported: no supported checkpoint was found at the source URI. "
    "Check that it points at the checkpoint folder of a SageMaker training job."
)
_FINAL_STATUS = {"active": "Active", "failed": "Failed", "stuck": "Creating"}
_IDENTIFIER_RE = re.compile(
    r"arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:(([0-9]{12}:custom-model/((imported)|([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}))"
    r"(([:][a-z0-9-]{1,63}){0,2})?/[a-z0-9]{12})|(:foundation-model/([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.]?[a-z0-9-]{1,63})"
    r"([:][a-z0-9-]{1,63}){0,2})))|(([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.]?[a-z0-9-]{1,63})([:][a-z0-9-]{1,63}){0,2}))"
    r"|(([0-9a-zA-Z][_-]?)+)"
)


@dataclass
class BedrockBehaviour:
    """What the emulated Bedrock does with each model it creates."""

    outcome: str = "active"  # active | failed | stuck (never leaves Creating)
    polls: int = 2  # the Nth GetCustomModel of a model answers its final status
    failure_message: str = DEFAULT_FAILURE_MESSAGE
    per_model: dict[str, BedrockBehaviour] = field(default_factory=dict)  # by model name

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {self.outcome!r}")
        if self.polls < 1:
            raise ValueError(f"polls must be at least 1, got {self.polls}")

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
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def response(self) -> tuple[int, dict[str, str], str]:
        """(status, headers, body); moto reads the status from the "status" header."""
        headers = {"x-amzn-ErrorType": self.code, "Content-Type": "application/json", "status": str(self.status)}
        return self.status, headers, json.dumps({"message": self.message})


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CustomModelStore:
    """The custom models of one account and region."""

    def __init__(self, account_id: str, region: str, behaviour: BedrockBehaviour) -> None:
        self.account_id = account_id
        self.region = region
        self.behaviour = behaviour
        self.models: dict[str, EmulatedModel] = {}  # by name
        self.tokens: dict[str, str] = {}  # clientRequestToken -> modelArn
        self.calls: list[str] = []  # operation names, in order
        self.created: list[str] = []  # the name of each model CreateCustomModel made, in order
        self.replays: list[str] = []  # names answered from a repeated clientRequestToken (no new model)
        self.conflicts: list[str] = []  # names refused with ConflictException (already taken)
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- validation

    @staticmethod
    def _violations(request: dict[str, Any]) -> list[str]:
        from model_import import bedrock_rules as rules

        problems: list[str] = []

        def check(path: str, value: Any, pattern: re.Pattern[str] | None, max_len: int | None, min_len: int = 1) -> None:
            if not isinstance(value, str):
                return
            if len(value) < min_len:
                problems.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {min_len}")
            if max_len is not None and len(value) > max_len:
                problems.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max_len}")
            if pattern is not None and pattern.fullmatch(value) is None:
                problems.append(
                    f"Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern.pattern}"
                )

        check("modelName", request.get("modelName"), rules.MODEL_NAME_RE, rules.MODEL_NAME_MAX)
        source = (request.get("modelSourceConfig") or {}).get("s3DataSource") or {}
        check("modelSourceConfig.s3DataSource.s3Uri", source.get("s3Uri"), rules.S3_URI_RE, rules.S3_URI_MAX)
        check("roleArn", request.get("roleArn"), rules.ROLE_ARN_RE, 2048, min_len=0)
        check("modelKmsKeyArn", request.get("modelKmsKeyArn"), rules.KMS_KEY_ARN_RE, 2048)
        check("clientRequestToken", request.get("clientRequestToken"), rules.TOKEN_RE, rules.TOKEN_MAX)
        tags = request.get("modelTags") or []
        if len(tags) > 200:
            problems.append("Value at 'modelTags' failed to satisfy constraint: Member must have length less than or equal to 200")
        for index, tag in enumerate(tags, start=1):
            check(f"modelTags.{index}.member.key", tag.get("key"), rules.TAG_RE, rules.TAG_KEY_MAX)
            check(f"modelTags.{index}.member.value", tag.get("value"), rules.TAG_RE, rules.TAG_VALUE_MAX, min_len=0)
        return problems

    @staticmethod
    def _validation_error(problems: list[str]) -> BedrockError:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        return BedrockError("ValidationException", f"{count} validation {noun} detected: " + "; ".join(problems))

    # ---------------------------------------------------------------- operations

    def create(self, request: dict[str, Any]) -> dict[str, Any]:
        from model_import import bedrock_rules as rules

        problems = self._violations(request)
        if problems:
            raise self._validation_error(problems)
        has_s3 = bool(request.get("modelSourceConfig"))
        has_package = bool(request.get("customModelDataSource"))
        if has_s3 == has_package:
            raise BedrockError("ValidationException", "Provide exactly one of modelSourceConfig or customModelDataSource.")
        source = (request["modelSourceConfig"].get("s3DataSource") or {}).get("s3Uri") if has_s3 else None
        if has_s3 and not source:
            raise BedrockError("ValidationException", "modelSourceConfig.s3DataSource.s3Uri is required.")
        if has_s3 and not request.get("roleArn"):
            raise BedrockError("ValidationException", "roleArn is required when the model source is in Amazon S3.")
        tags = list(request.get("modelTags") or [])
        if len(tags) > rules.MAX_TAGS:
            raise BedrockError(
                "ValidationException",
                f"The request has {len(tags)} tags; you can add at most {rules.MAX_TAGS} tags per resource.",
            )
        if len({t.get("key") for t in tags}) != len(tags):
            raise BedrockError("ValidationException", "Tag keys must be unique.")
        name = request["modelName"]
        token = request.get("clientRequestToken")
        with self._lock:
            self.calls.append("CreateCustomModel")
            if token and token in self.tokens:
                self.replays.append(name)
                return {"modelArn": self.tokens[token]}  # idempotent: the first call's result
            if name in self.models:
                self.conflicts.append(name)
                raise BedrockError("ConflictException", f"A custom model with the name {name} already exists.")
            arn = f"arn:aws:bedrock:{self.region}:{self.account_id}:custom-model/imported/{_model_id()}"
            self.models[name] = EmulatedModel(
                name=name,
                arn=arn,
                source_uri=source,
                role_arn=request.get("roleArn"),
                kms_key_arn=request.get("modelKmsKeyArn"),
                tags=tags,
                token=token,
                created=datetime.now(UTC),
                behaviour=self.behaviour.for_model(name),
            )
            if token:
                self.tokens[token] = arn
            self.created.append(name)
            return {"modelArn": arn}

    def _find(self, identifier: str | None) -> EmulatedModel:
        identifier = unquote(identifier or "")
        if not identifier or len(identifier) > 2048 or _IDENTIFIER_RE.fullmatch(identifier) is None:
            raise self._validation_error(
                [f"Value '{identifier}' at 'modelIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: {_IDENTIFIER_RE.pattern}"]
            )
        for model in self.models.values():
            if identifier in (model.name, model.arn):
                return model
        raise BedrockError("ResourceNotFoundException", f"Could not find the model {identifier}.", status=404)

    def get(self, identifier: str | None) -> dict[str, Any]:
        with self._lock:
            self.calls.append("GetCustomModel")
            model = self._find(identifier)
            model.check()
            return model.describe()

    def delete(self, identifier: str | None) -> dict[str, Any]:
        with self._lock:
            self.calls.append("DeleteCustomModel")
            model = self._find(identifier)
            del self.models[model.name]
            return {}

    def list(self, params: dict[str, Any]) -> dict[str, Any]:
        def one(name: str) -> str | None:
            value = params.get(name)
            return value[0] if isinstance(value, list) else value

        with self._lock:
            self.calls.append("ListCustomModels")
            models = list(self.models.values())
        name_contains, status = one("nameContains"), one("modelStatus")
        problems = []
        if status is not None and status not in ("Active", "Creating", "Failed"):
            problems.append(f"Value '{status}' at 'modelStatus' failed to satisfy constraint: Member must satisfy enum value set: [Active, Creating, Failed]")
        sort_order = one("sortOrder") or "Descending"
        if sort_order not in ("Ascending", "Descending"):
            problems.append(f"Value '{sort_order}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]")
        sort_by = one("sortBy") or "CreationTime"
        if sort_by != "CreationTime":
            problems.append(f"Value '{sort_by}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [CreationTime]")
        max_results = int(one("maxResults") or 1000)
        if not 1 <= max_results <= 1000:
            problems.append(f"Value '{max_results}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000")
        if problems:
            raise self._validation_error(problems)
        if name_contains:
            models = [m for m in models if name_contains in m.name]
        if status:
            models = [m for m in models if m.status == status]
        for bound, keep in (("creationTimeBefore", lambda m, t: m.created < t), ("creationTimeAfter", lambda m, t: m.created > t)):
            if one(bound):
                moment = datetime.fromisoformat(str(one(bound)))
                models = [m for m in models if keep(m, moment)]
        models.sort(key=lambda m: m.created, reverse=sort_order == "Descending")
        start = _decode_token(one("nextToken"))
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


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except ValueError:
        raise BedrockError("ValidationException", "The pagination token is not valid.") from None


class EmulatedBedrock:
    """One CustomModelStore per account and region, served through moto's Bedrock responses."""

    def __init__(self, behaviour: BedrockBehaviour | None = None) -> None:
        self.behaviour = behaviour or BedrockBehaviour()
        self._stores: dict[tuple[str, str], CustomModelStore] = {}
        self._lock = threading.Lock()
        from sandbox.import_jobs import EmulatedImportJobs

        self.import_jobs = EmulatedImportJobs(self.behaviour)  # Custom Model Import: its own module

    def store(self, account_id: str, region: str) -> CustomModelStore:
        with self._lock:
            key = (account_id, region)
            if key not in self._stores:
                self._stores[key] = CustomModelStore(account_id, region, self.behaviour)
            return self._stores[key]

    def install(self, patcher: Any) -> None:
        from moto.bedrock.responses import BedrockResponse

        emulator = self

        def serve(response: Any, call: Any, status: int = 200) -> tuple[int, dict[str, str], str]:
            store = emulator.store(response.current_account, response.region)
            try:
                # moto takes the status from the "status" header
                return status, {"Content-Type": "application/json", "status": str(status)}, json.dumps(call(store))
            except BedrockError as err:
                return err.response()

        def identifier(response: Any) -> str | None:
            uri = getattr(response, "uri_match", None) or {}
            return uri.get("modelIdentifier") or response.path.split("/custom-models/", 1)[-1]

        def create_custom_model(self: Any) -> Any:
            try:
                request = json.loads(self.body or "{}")
            except ValueError:
                return BedrockError("ValidationException", "The request body is not valid JSON.").response()
            return serve(self, lambda store: store.create(request), status=202)

        def get_custom_model(self: Any) -> Any:
            return serve(self, lambda store: store.get(identifier(self)))

        def delete_custom_model(self: Any) -> Any:
            return serve(self, lambda store: store.delete(identifier(self)))

        def list_custom_models(self: Any) -> Any:
            return serve(self, lambda store: store.list(dict(self.querystring)))

        patcher.setattr(BedrockResponse, "create_custom_model", create_custom_model, must_exist=False)  # moto 5.2.5 lacks it
        patcher.setattr(BedrockResponse, "get_custom_model", get_custom_model)
        patcher.setattr(BedrockResponse, "delete_custom_model", delete_custom_model)
        patcher.setattr(BedrockResponse, "list_custom_models", list_custom_models)
        self.import_jobs.install(patcher)
