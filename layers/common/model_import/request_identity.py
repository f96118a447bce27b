"""Which trigger identity names an import request (and so its clientRequestToken and ledger key)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from model_import.inputs import ParsedInput, Trigger


def object_identity(response: dict[str, Any]) -> str | None:
    """The trigger object's own identity when S3 gave no version id (an unversioned bucket): its
    ETag plus last-modified time. A new upload of the same key changes the time, even with
    the same bytes."""
    etag, modified = response.get("ETag"), response.get("LastModified")
    if not etag or modified is None:
        return None
    when = modified.isoformat() if hasattr(modified, "isoformat") else str(modified)
    return "etag:" + str(etag).strip('"') + "@" + when


def token_trigger(parsed: ParsedInput, found_trigger: Trigger, found_identity: str | None) -> Trigger | None:
    """The trigger request_token hashes.

    An S3 event names its object by version-id or sequencer. A hand-made event may carry neither:
    then the object the validator read names it (the version id S3 returned, else its ETag and
    last-modified), so delivering that event again is the same request, not a second attempt.
    A manual start stays deliberate: its identity is its own execution (trigger None here means that).
    """
    if parsed.kind != "s3-event" or parsed.trigger is None:
        return parsed.trigger
    if parsed.trigger.version_id or parsed.trigger.sequencer:
        return parsed.trigger
    if found_trigger.version_id:
        return replace(parsed.trigger, key=found_trigger.key, version_id=found_trigger.version_id)
    if found_identity:
        return replace(parsed.trigger, key=found_trigger.key, sequencer=found_identity)
    return parsed.trigger


def rejected_trigger(parsed: ParsedInput | None, event: Any) -> Trigger | None:
    """The trigger a rejected input's ledger key is derived from (publish.ledger_key).

    A rejection happens before any request exists, so the object's identity may never have been
    read. A hand-made event without version-id and sequencer is then named by its detail, which
    EventBridge keeps unchanged when it delivers the event again: the same event rejected twice
    notifies once."""
    if parsed is None or parsed.kind != "s3-event" or parsed.trigger is None:
        return parsed.trigger if parsed else None
    if parsed.trigger.version_id or parsed.trigger.sequencer:
        return parsed.trigger
    detail = json.dumps(event.get("detail"), sort_keys=True, separators=(",", ":"), default=str)
    return replace(parsed.trigger, sequencer="detail:" + detail)
