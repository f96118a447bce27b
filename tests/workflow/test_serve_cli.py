"""`python -m sandbox serve` driven by the real AWS CLI (the pinned awscli in .venv), as a user's
own scripts drive it: an upload, a manual start, a duplicate delivery and a rejected upload,
read back from the notifications queue, Step Functions and Bedrock."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.served import ServedSandbox
from tests.workflow import notification_schema

pytestmark = pytest.mark.workflow

AWS = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "aws")
ESCROW = "customer-escrow-123456789012-smtj-cli001"


@pytest.fixture(scope="module")
def served() -> Iterator[ServedSandbox]:
    with ServedSandbox() as server:
        yield server
    assert server.returncode == 0, server.stderr()[-2000:]  # SIGTERM stops it cleanly


def aws(served: ServedSandbox, *args: str) -> Any:
    """Run the AWS CLI with the server's environment: the API commands' JSON output, or None (aws s3 ...)."""
    result = subprocess.run([AWS, *args, "--output", "json"], env=served.environ(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"aws {' '.join(args)}: {result.stderr}"
    return json.loads(result.stdout) if args[0] != "s3" and result.stdout.strip() else None


def receive(served: ServedSandbox, wait: int = 2) -> list[dict[str, Any]]:
    """One receive and delete on the notifications queue. `aws sqs` needs --endpoint-url: AWS CLI v1
    replaces the endpoint of sqs (awscli/customizations/overridesslcommonname.py), AWS_ENDPOINT_URL included."""
    queue = ["--endpoint-url", served.endpoint, "--queue-url", served.env["SANDBOX_NOTIFICATIONS_QUEUE_URL"]]
    got = aws(served, "sqs", "receive-message", *queue, "--max-number-of-messages", "10",
              "--wait-time-seconds", str(wait), "--message-attribute-names", "All") or {}
    messages = got.get("Messages", [])
    if messages:
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        aws(served, "sqs", "delete-message-batch", *queue, "--entries", json.dumps(entries))
    return messages


def test_the_aws_cli_drives_uploads_a_manual_start_a_duplicate_and_a_rejection(served: ServedSandbox, tmp_path: Path) -> None:
    bucket, machine = served.env["SANDBOX_BUCKET"], served.env["SANDBOX_STATE_MACHINE_ARN"]
    # The checkpoints at their escrow URIs first, as SageMaker training jobs leave them.
    for name in ("cli-upload", "cli-manual", "cli-duplicate"):
        (tmp_path / "escrow" / name / "step_100").mkdir(parents=True)
        (tmp_path / "escrow" / name / "step_100" / "model.safetensors").write_bytes(b"weights")
        (tmp_path / f"{name}.json").write_text(json.dumps({"checkpoint_s3_bucket": f"s3://{ESCROW}/{name}/step_100/"}))
    (tmp_path / "broken.json").write_text('{"checkpoint_s3_bucket": ')
    aws(served, "s3", "mb", f"s3://{ESCROW}")
    aws(served, "s3", "cp", str(tmp_path / "escrow"), f"s3://{ESCROW}/", "--recursive")

    aws(served, "s3", "cp", str(tmp_path / "cli-upload.json"), f"s3://{bucket}/incoming/cli-upload/manifest.json")
    manual = aws(served, "stepfunctions", "start-execution", "--state-machine-arn", machine, "--input",
                 json.dumps({"sourceUri": f"s3://{ESCROW}/cli-manual/step_100/", "modelName": "cli-manual"}))["executionArn"]
    aws(served, "s3", "cp", str(tmp_path / "cli-duplicate.json"), f"s3://{bucket}/incoming/cli-duplicate/manifest.json",
        "--metadata", "sandbox-deliveries=2")
    aws(served, "s3", "cp", str(tmp_path / "broken.json"), f"s3://{bucket}/incoming/cli-rejected/manifest.json")

    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + 90
    while len(messages) < 4 and time.monotonic() < deadline:
        messages += receive(served)
    bodies = {body["modelName"]: body for body in (notification_schema.check(m["Body"]) for m in messages)}
    assert len(messages) == 4 and set(bodies) == {"cli-upload", "cli-manual", "cli-duplicate", "cli-rejected"}, bodies

    upload = bodies["cli-upload"]
    assert upload["outcome"] == "ACTIVE" and upload["modelStatus"] == "Active"
    assert upload["sourceUri"] == f"s3://{ESCROW}/cli-upload/step_100/"
    assert upload["trigger"]["bucket"] == bucket and upload["trigger"]["key"] == "incoming/cli-upload/manifest.json"
    assert bodies["cli-manual"]["outcome"] == "ACTIVE" and bodies["cli-manual"]["executionArn"] == manual
    assert bodies["cli-duplicate"]["outcome"] == "ACTIVE"
    rejected = bodies["cli-rejected"]
    assert rejected["outcome"] == "REJECTED" and rejected["modelArn"] is None and "not valid JSON" in rejected["reason"]

    executions = aws(served, "stepfunctions", "list-executions", "--state-machine-arn", machine)["executions"]
    while any(e["status"] == "RUNNING" for e in executions) and time.monotonic() < deadline:
        executions = aws(served, "stepfunctions", "list-executions", "--state-machine-arn", machine)["executions"]
    # five executions: the duplicate delivery started a second one, which stopped at the ledger
    assert len(executions) == 5
    assert sorted(e["status"] for e in executions) == ["FAILED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]
    assert aws(served, "stepfunctions", "describe-execution", "--execution-arn", manual)["status"] == "SUCCEEDED"
    [ignored] = [e["executionArn"] for e in executions if e["executionArn"] not in {b["executionArn"] for b in bodies.values()}]
    history = aws(served, "stepfunctions", "get-execution-history", "--execution-arn", ignored)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    assert entered[-1] == "IgnoreDuplicateDelivery" and "StartBedrockImport" not in entered and "PublishResult" not in entered

    model = aws(served, "bedrock", "get-custom-model", "--model-identifier", "cli-upload")
    assert model["modelStatus"] == "Active" and model["modelArn"] == upload["modelArn"]
    models = aws(served, "bedrock", "list-custom-models")["modelSummaries"]
    assert sorted(m["modelName"] for m in models) == ["cli-duplicate", "cli-manual", "cli-upload"]  # one model per import
    assert receive(served, wait=1) == []  # and no second notification for the duplicate
