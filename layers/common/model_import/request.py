"""The import request every later step works from, and its idempotency token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from model_import.inputs import Trigger


def request_token(trigger: Trigger | None, execution_arn: str) -> str:
    """The CreateCustomModel clientRequestToken, derived from the trigger's identity.

    The same upload delivered twice (same bucket, key and version-id, or sequencer on an
    unversioned bucket) gives the same token, so Bedrock creates one model. A manual start is
    a deliberate request: its identity is its own execution. The result is 64 hex digits,
    which always matches Bedrock's token pattern.
    """
    import hashlib  # here, not at module level: OpenSSL's ~2.5 ms stay out of the handlers' import

    if trigger is not None and (trigger.version_id or trigger.sequencer):
        identity = "\n".join(("s3", trigger.bucket, trigger.key, trigger.version_id or "", trigger.sequencer or ""))
    else:
        identity = "\n".join(("execution", execution_arn))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ImportRequest:
    model_name: str
    source_uri: str
    tags: dict[str, str]
    client_request_token: str
    trigger: Trigger | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "modelName": self.model_name,
            "sourceUri": self.source_uri,
            "tags": dict(self.tags),
            "clientRequestToken": self.client_request_token,
            "trigger": self.trigger.to_dict() if self.trigger else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportRequest:
        trigger = data.get("trigger")
        return cls(
            model_name=data["modelName"],
            source_uri=data["sourceUri"],
            tags=dict(data.get("tags") or {}),
            client_request_token=data["clientRequestToken"],
            trigger=Trigger(trigger["bucket"], trigger["key"], trigger.get("versionId"), trigger.get("sequencer"))
            if trigger
            else None,
        )
