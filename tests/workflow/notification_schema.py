"""The notification as the README's "The notification" section defines it, checked on a message
a subscriber received (the SQS body of an SNS notification, as delivered over the wire)."""

from __future__ import annotations

import json
import re
from typing import Any

OUTCOMES = {"ACTIVE", "FAILED", "REJECTED", "TIMED_OUT", "ERROR"}
FIELDS = ["outcome", "modelName", "modelArn", "modelStatus", "sourceUri", "reason", "trigger", "executionArn", "startedAt",
          "finishedAt", "importApi", "modelPackageArn", "jobArn", "queuedSeconds"]
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


def _str_or_null(value: Any) -> bool:
    return value is None or isinstance(value, str)


def check(sqs_body: str) -> dict[str, Any]:
    """The notification body, after asserting the envelope, subject, attributes and schema."""
    envelope = json.loads(sqs_body)
    assert envelope["Type"] == "Notification"
    body = json.loads(envelope["Message"])
    assert list(body) == FIELDS, body
    assert body["outcome"] in OUTCOMES
    for name in ("modelName", "modelArn", "sourceUri", "reason", "modelPackageArn", "jobArn"):
        assert _str_or_null(body[name]), (name, body)
    assert body["modelStatus"] in ("Active", "Failed", "Creating", None)
    assert body["importApi"] in ("CreateCustomModel", "CreateModelImportJob", None)
    assert body["jobArn"] is None or body["importApi"] == "CreateModelImportJob"
    assert body["queuedSeconds"] is None or (isinstance(body["queuedSeconds"], int) and body["queuedSeconds"] >= 0)
    trigger = body["trigger"]
    if trigger is not None:
        assert set(trigger) == {"bucket", "key", "versionId", "sequencer"}
        assert isinstance(trigger["bucket"], str) and isinstance(trigger["key"], str)
        assert _str_or_null(trigger["versionId"]) and _str_or_null(trigger["sequencer"])
    assert isinstance(body["executionArn"], str) and body["executionArn"].startswith("arn:aws:states:")
    assert ISO.fullmatch(body["startedAt"]) and ISO.fullmatch(body["finishedAt"])
    assert (body["reason"] is None) == (body["outcome"] == "ACTIVE")
    subject = envelope["Subject"]
    assert "\n" not in subject and len(subject) <= 100 and subject.startswith(f"Model import {body['outcome']}")
    attributes = {k: v["Value"] for k, v in envelope.get("MessageAttributes", {}).items()}
    expected = {"outcome": body["outcome"]} | {k: body[k] for k in ("modelName", "importApi") if body[k]}
    assert attributes == expected
    return body
