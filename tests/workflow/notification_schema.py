"""The notification as the README's "The notification" section defines it, checked on a message
a subscriber received (the SQS body of an SNS notification, as delivered over the wire)."""

from __future__ import annotations

import json
import re
from typing import Any

OUTCOMES = {"ACTIVE", "FAILED", "REJECTED", "TIMED_OUT", "ERROR"}
FIELDS = ["outcome", "modelName", "modelArn", "modelStatus", "sourceUri", "reason", "trigger", "executionArn", "startedAt",
          "finishedAt", "importApi", "modelPackageArn", "jobArn", "queuedSeconds", "deployment", "smokeTest"]
DEPLOYMENT_FIELDS = {"mode", "name", "arn", "status", "replacedModelArn"}
#: Bedrock's own words (GetCustomModelDeployment, GetProvisionedModelThroughput), "Updating" while an
#: update runs, and NotCreated when Bedrock never created the deployment asked for.
DEPLOYMENT_STATUSES = {"Creating", "Active", "Failed", "InService", "Updating", "NotCreated"}
SMOKE_TEST_FIELDS = {"ok", "latencyMs", "outputPreview", "error", "api", "modelId"}
#: Subject suffixes after Active (model_import/after_import.py).
FAILED_AFTER_IMPORT = ("deployment FAILED", "deployment TIMED OUT", "smoke test FAILED")
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
    subject = envelope["Subject"]
    assert "\n" not in subject and len(subject) <= 100 and subject.startswith(f"Model import {body['outcome']}")
    # ACTIVE has a reason only when a deployment or smoke test failed after Active, which the subject says.
    failed_after_import = any(f"{words})" in subject or f"{words};" in subject for words in FAILED_AFTER_IMPORT)
    assert (body["reason"] is None) == (body["outcome"] == "ACTIVE" and not failed_after_import)
    assert not failed_after_import or body["outcome"] == "ACTIVE"
    deployment, smoke = body["deployment"], body["smokeTest"]
    if deployment is not None:
        assert set(deployment) == DEPLOYMENT_FIELDS and body["outcome"] == "ACTIVE"
        assert deployment["mode"] in ("on-demand", "provisioned") and deployment["status"] in DEPLOYMENT_STATUSES
        assert all(_str_or_null(deployment[k]) for k in ("name", "arn", "replacedModelArn"))
        assert deployment["status"] != "NotCreated" or deployment["arn"] is None
        if deployment["mode"] == "provisioned" and deployment["arn"]:
            assert "(Provisioned Throughput: billed hourly" in subject
    if smoke is not None:
        assert set(smoke) == SMOKE_TEST_FIELDS and isinstance(smoke["ok"], bool) and body["outcome"] == "ACTIVE"
        assert smoke["outputPreview"] is None or (isinstance(smoke["outputPreview"], str) and len(smoke["outputPreview"]) <= 200)
        assert smoke["latencyMs"] is None or (isinstance(smoke["latencyMs"], int) and smoke["latencyMs"] >= 0)
        assert not smoke["ok"] or smoke["error"] is None
    attributes = {k: v["Value"] for k, v in envelope.get("MessageAttributes", {}).items()}
    expected = {"outcome": body["outcome"]} | {k: body[k] for k in ("modelName", "importApi") if body[k]}
    if deployment is not None:
        expected["deploymentStatus"] = deployment["status"]
    assert attributes == expected
    return body
