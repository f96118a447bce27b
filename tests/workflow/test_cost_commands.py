"""The README's "After Active: what a deployment bills, and how to stop it" commands run as written,
with the pinned AWS CLI, against `python -m sandbox serve` after the workflow made what they name: a
deployment whose stable name moved from a first model to a second, and a Provisioned Throughput.
They find this stack's resources and then stop every one of them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from sandbox.served import ServedSandbox
from tests.workflow import notification_schema

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[2]
SECTION = re.search(r"## After Active: what a deployment bills, and how to stop it\n(.*?)\n## ", (REPO / "README.md").read_text(), flags=re.S)
ESCROW = "customer-escrow-123456789012-smtj-cost01"


def _import(served: ServedSandbox, name: str, deploy: dict[str, Any]) -> None:
    s3 = served.client("s3")
    s3.put_object(Bucket=ESCROW, Key=f"{name}/step_100/model.safetensors", Body=b"weights")
    trigger = {"checkpoint_s3_bucket": f"s3://{ESCROW}/{name}/step_100/", "deploy": deploy}
    s3.put_object(Bucket=served.env["SANDBOX_BUCKET"], Key=f"incoming/{name}/manifest.json", Body=json.dumps(trigger).encode())


def _notification(served: ServedSandbox, name: str, timeout: float = 90.0) -> dict[str, Any]:
    sqs, url = served.client("sqs"), served.env["SANDBOX_NOTIFICATIONS_QUEUE_URL"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            body = notification_schema.check(message["Body"])
            if body["modelName"] == name:
                return body
    raise AssertionError(f"no notification for {name} after {timeout} s: {served.stderr()[-1500:]}")


def _run(script: str, served: ServedSandbox, **variables: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(served.environ(), **variables)
    env["PATH"] = f"{REPO / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"  # `aws` is the pinned CLI
    result = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def test_the_readme_finds_and_stops_what_a_deployment_left_running() -> None:
    assert SECTION is not None
    find, stop = re.findall(r"```bash\n(.*?)```", SECTION.group(1), flags=re.S)
    with ServedSandbox("--parameter", "MaxProvisionedModelUnits=1") as served:
        served.client("s3").create_bucket(Bucket=ESCROW)
        _import(served, "bot-v1", {"mode": "on-demand", "name": "support-bot"})
        first = _notification(served, "bot-v1")
        _import(served, "bot-v2", {"mode": "on-demand", "name": "support-bot"})
        second = _notification(served, "bot-v2")
        _import(served, "bot-pt", {"mode": "provisioned"})
        provisioned = _notification(served, "bot-pt")
        assert [b["outcome"] for b in (first, second, provisioned)] == ["ACTIVE"] * 3
        assert second["deployment"]["arn"] == first["deployment"]["arn"]  # the stable name
        assert second["deployment"]["replacedModelArn"] == first["modelArn"]
        variables = {
            "DEPLOYMENT_ARN": second["deployment"]["arn"],
            "THROUGHPUT_ARN": provisioned["deployment"]["arn"],
            "MODEL_ARN": second["deployment"]["replacedModelArn"],
        }

        found = _run(find, served, **variables).splitlines()
        assert found == [
            f"bot-pt\tInService\t{variables['THROUGHPUT_ARN']}",
            f"support-bot\tActive\t{variables['DEPLOYMENT_ARN']}",
            served.client("cloudformation").describe_stacks()["Stacks"][0]["StackName"],
        ]
        _run(stop, served, **variables)

        bedrock = served.client("bedrock")
        assert bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"] == []
        assert bedrock.list_custom_model_deployments()["modelDeploymentSummaries"] == []
        models = {m["modelArn"] for m in bedrock.list_custom_models()["modelSummaries"]}
        assert first["modelArn"] not in models and {second["modelArn"], provisioned["modelArn"]} <= models
