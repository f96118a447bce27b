"""EventBridge, as far as the workflow needs it: S3's "Object Created" events on the default bus,
matched against the deployed rules, delivered to their Step Functions targets.

moto's S3 emits EventBridge events, but its rules have no Step Functions target (and S3
swallows the error), its events carry a constant id and sequencer, a float `time`, a
`reason` of "ObjectCreated", and an extra "Object Tags Added" event per PutObject. The sandbox
sends events shaped like the real ones instead (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html)
and only for what S3 really reports, then matches them with moto's own pattern matcher,
honouring each rule's state. A matching rule starts an execution of its target state machine
with the event as input and a unique execution name, as EventBridge does. A target that cannot
be started sends the event to the rule's dead-letter queue.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

#: moto event names -> the `reason` S3 reports
_CREATED_REASONS = {
    "s3:ObjectCreated:Put": "PutObject",
    "s3:ObjectCreated:Post": "POST Object",
    "s3:ObjectCreated:Copy": "CopyObject",
    "s3:ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
}
_sequence = itertools.count(0x0066F0000000000000)


@dataclass(frozen=True)
class Delivery:
    event: dict[str, Any]
    rule: str | None  # the rule that matched, None when none did
    execution_arn: str | None
    error: str | None = None


class EventRouter:
    def __init__(
        self,
        account_id: str,
        region: str,
        start_execution: Callable[[str, str, str], str],
        key_encoding: str = "raw",
    ) -> None:
        if key_encoding not in ("raw", "url"):
            raise ValueError("key_encoding must be 'raw' (the key as uploaded) or 'url' (URL-encoded, as in S3 notifications)")
        self.account_id = account_id
        self.region = region
        self.key_encoding = key_encoding
        self._start_execution = start_execution
        self.deliveries: list[Delivery] = []
        self.events: list[dict[str, Any]] = []  # every event put on the bus, in order
        self._paused = threading.local()
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- S3 -> bus

    def install(self, patcher: Any) -> None:
        from moto.s3 import notifications

        router = self

        def _send_event_bridge_message(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
            event = router.s3_event(account_id, bucket, str(getattr(event_name, "value", event_name)), key)
            if event is not None and not getattr(router._paused, "on", False):
                router.put(event)

        patcher.setattr(notifications, "_send_event_bridge_message", _send_event_bridge_message)

    def s3_event(self, account_id: str, bucket: Any, event_name: str, key: Any) -> dict[str, Any] | None:
        reason = _CREATED_REASONS.get(event_name)
        if reason is None:
            return None  # deletions, tags, ACLs: not what the rules listen to (and moto's tag events are spurious)
        name = quote_plus(key.name, safe="/") if self.key_encoding == "url" else key.name
        obj: dict[str, Any] = {"key": name, "size": key.size, "etag": key.etag.strip('"')}
        if bucket.is_versioned and key.version_id not in (None, "null"):
            obj["version-id"] = key.version_id
        obj["sequencer"] = f"{next(_sequence):018X}"
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Object Created",
            "source": "aws.s3",
            "account": account_id,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": bucket.region_name,
            "resources": [f"arn:aws:s3:::{bucket.name}"],
            "detail": {
                "version": "0",
                "bucket": {"name": bucket.name},
                "object": obj,
                "request-id": uuid.uuid4().hex[:16].upper(),
                "requester": account_id,
                "source-ip-address": "203.0.113.10",
                "reason": reason,
            },
        }

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """S3 events from this thread are not put on the bus meanwhile (staging files)."""
        previous = getattr(self._paused, "on", False)
        self._paused.on = True
        try:
            yield
        finally:
            self._paused.on = previous

    # ---------------------------------------------------------------- bus -> targets

    def put(self, event: dict[str, Any]) -> list[Delivery]:
        """Put an event on the default bus, as it is; start every matching rule's targets."""
        from moto.events.models import events_backends

        with self._lock:
            self.events.append(event)
        bus = events_backends[self.account_id][self.region].event_buses.get("default")
        deliveries = []
        for rule in list(bus.rules.values()) if bus else []:
            if rule.state != "ENABLED" or not rule.event_pattern.matches_event(event):
                continue
            for target in rule.targets:
                deliveries.append(self._deliver(rule, target, event))
        if not deliveries:
            deliveries.append(Delivery(event=event, rule=None, execution_arn=None))
        with self._lock:
            self.deliveries.extend(deliveries)
        return deliveries

    def redeliver(self, event: dict[str, Any]) -> list[Delivery]:
        """The same event again, as EventBridge's at-least-once delivery may: a new id, same detail."""
        again = copy.deepcopy(event)
        again["id"] = str(uuid.uuid4())
        return self.put(again)

    def _deliver(self, rule: Any, target: dict[str, Any], event: dict[str, Any]) -> Delivery:
        arn = target["Arn"]
        if ":states:" not in arn or ":stateMachine:" not in arn:
            return Delivery(event, rule.name, None, error=f"target {arn} is not a state machine (not emulated)")
        payload = target["Input"] if "Input" in target else json.dumps(event)
        name = f"{event.get('id', uuid.uuid4())}_{uuid.uuid4().hex[:8]}"[:80]
        try:
            execution_arn = self._start_execution(arn, name, payload)
        except Exception as err:  # noqa: BLE001 - EventBridge gives up on the target and dead-letters the event
            self._dead_letter(target, event, err)
            return Delivery(event, rule.name, None, error=f"{type(err).__name__}: {getattr(err, 'message', None) or err}")
        return Delivery(event, rule.name, execution_arn)

    def _dead_letter(self, target: dict[str, Any], event: dict[str, Any], err: Exception) -> None:
        queue_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
        if not queue_arn:
            return
        from moto.sqs.models import sqs_backends

        queue_name = queue_arn.rsplit(":", 1)[-1]
        sqs_backends[self.account_id][self.region].send_message(
            queue_name=queue_name,
            message_body=json.dumps(event),
            message_attributes={
                "ERROR_CODE": {"DataType": "String", "StringValue": type(err).__name__},
                "ERROR_MESSAGE": {"DataType": "String", "StringValue": str(err)[:256]},
            },
        )

    def started(self) -> list[str]:
        with self._lock:
            return [d.execution_arn for d in self.deliveries if d.execution_arn]
