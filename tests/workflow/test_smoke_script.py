"""scripts/smoke_test.py (make smoke) against the sandbox's deployed stack: it gets its REJECTED
notification through a queue of its own, checks it, and leaves no queue, subscription, trigger
file or model behind."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest

from sandbox import BedrockBehaviour, Faults

pytestmark = pytest.mark.workflow

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "smoke_test.py"


def _smoke():
    spec = importlib.util.spec_from_file_location("smoke_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Session:
    """What the script asks of a boto3 Session, served by the sandbox's clients."""

    def __init__(self, sb) -> None:
        self._sb = sb

    def client(self, service: str):
        return self._sb._client(service)

    def get_credentials(self):
        return object()


def test_the_smoke_test_passes_on_a_deployed_stack_and_leaves_nothing_behind(sandbox_factory) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(), faults=Faults())
    sqs, sns, s3 = (sb._client(name) for name in ("sqs", "sns", "s3"))
    queues_before = set(sqs.list_queues().get("QueueUrls", []))
    subscriptions_before = len(sns.list_subscriptions_by_topic(TopicArn=sb.topic_arn)["Subscriptions"])
    out = io.StringIO()

    code = _smoke().main(["--stack", sb.stack.name, "--timeout", "60"], session=_Session(sb), out=out)

    assert code == 0, out.getvalue()
    assert "OK: REJECTED notification received" in out.getvalue()
    assert "set-alarm-state" in out.getvalue()
    [execution] = sb.wait_all()
    assert execution.error == "ModelImportRejected"
    assert sb.models() == [] and sb.bedrock_store().created == []  # harmless: no model
    assert set(sqs.list_queues().get("QueueUrls", [])) == queues_before
    assert len(sns.list_subscriptions_by_topic(TopicArn=sb.topic_arn)["Subscriptions"]) == subscriptions_before
    versions = s3.list_object_versions(Bucket=sb.bucket, Prefix="incoming/smoke-test-")
    assert versions.get("Versions", []) == [] and versions.get("DeleteMarkers", []) == []


def test_a_wrong_stack_is_one_line_and_exit_2(sandbox_factory) -> None:
    sb = sandbox_factory()
    err = io.StringIO()
    assert _smoke().main(["--stack", "no-such-stack"], session=_Session(sb), err=err) == 2
    assert err.getvalue().count("\n") == 1 and "no-such-stack" in err.getvalue()


def test_a_notification_that_breaks_the_schema_is_reported() -> None:
    smoke = _smoke()
    body = {name: None for name in smoke.FIELDS} | {"outcome": "ACTIVE", "modelArn": "arn:x"}
    problems = smoke.check_notification({"subject": "x", "attributes": {}, "body": body}, "smoke-test-1")
    assert any("outcome is 'ACTIVE'" in p for p in problems)
    assert any("must create none" in p for p in problems)
    assert any("attribute modelName" in p for p in problems)
