"""TagResource, UntagResource and ListTagsForResource for the emulated Bedrock resources: custom
models, import jobs, imported models, custom model deployments and Provisioned Throughputs (moto's
own tagging only knows its own resources, so it answered ResourceNotFoundException for these).
An ARN no emulated store holds goes on to moto's own implementation (NotEmulated), which knows
its model customization jobs and answers ResourceNotFoundException for the rest.

The tag rules (reserved aws: prefix, unique keys) are checked for the request's TagList by
sandbox/bedrock.py first; here, at most 50 tags per resource once merged (TooManyTagsException,
botocore's bedrock model for TagResource)."""

from __future__ import annotations

from typing import Any

from sandbox.bedrock import BedrockError
from sandbox.bedrock_contract import MAX_TAGS

TAG_OPERATIONS = {"TagResource": "tag", "UntagResource": "untag", "ListTagsForResource": "list_tags"}


# ARN kinds only the emulator makes: unknown ones are not found here (HTTP 404, as botocore's model has it)
_EMULATED_KINDS = (":custom-model/imported/", ":model-import-job/", ":imported-model/", ":custom-model-deployment/", ":provisioned-model/")


class NotEmulated(Exception):
    """The ARN names no emulated resource: moto's own Bedrock answers."""


class TagStore:
    def __init__(self, account_id: str, region: str, emulator: Any) -> None:
        self.account_id, self.region, self._emulator = account_id, region, emulator
        self.calls: list[str] = []
        self.refusals: list[tuple[str, str | None]] = []

    def refuse(self, broken: Any, name: str | None) -> BedrockError:
        self.refusals.append((broken.rule.id, name))
        return BedrockError(broken.rule.error, broken.message)

    def _holder(self, arn: str) -> tuple[Any, str]:
        """(the resource holding the ARN's tag list, the attribute's name)."""
        e, account, region = self._emulator, self.account_id, self.region
        imports = e.import_jobs.store(account, region)
        candidates: list[tuple[Any, str]] = [
            *((m, "tags") for m in list(e.store(account, region).models.values())),
            *((j, "job_tags") for j in list(imports.jobs.values())),
            *((m, "tags") for m in list(imports.models.values())),
            *((d, "tags") for d in list(e.deployment_store(account, region).deployments.values())),
            *((t, "tags") for t in list(e.throughput_store(account, region).throughputs.values())),
        ]
        for resource, attribute in candidates:
            if resource.arn == arn:
                return resource, attribute
        if any(kind in arn for kind in _EMULATED_KINDS):
            raise BedrockError("ResourceNotFoundException", f"Could not find the resource {arn}.", status=404)
        raise NotEmulated(arn)

    def list_tags(self, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("ListTagsForResource")
        resource, attribute = self._holder(params["resourceARN"])
        return {"tags": [dict(t) for t in getattr(resource, attribute)]}

    def tag(self, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("TagResource")
        resource, attribute = self._holder(params["resourceARN"])
        merged = {t["key"]: t["value"] for t in getattr(resource, attribute)}
        merged.update({t["key"]: t["value"] for t in params.get("tags") or []})
        if len(merged) > MAX_TAGS:
            raise BedrockError("TooManyTagsException", f"The resource would have {len(merged)} tags; at most {MAX_TAGS} are allowed per resource.")
        setattr(resource, attribute, [{"key": k, "value": v} for k, v in merged.items()])
        return {}

    def untag(self, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("UntagResource")
        resource, attribute = self._holder(params["resourceARN"])
        gone = set(params.get("tagKeys") or [])
        setattr(resource, attribute, [t for t in getattr(resource, attribute) if t["key"] not in gone])
        return {}
