"""The status command against `python -m sandbox serve`, unchanged: only AWS_ENDPOINT_URL and the
dummy credentials that serve prints point it at the sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from sandbox.served import ServedSandbox

pytestmark = pytest.mark.workflow


def test_imports_list_and_show_work_against_the_served_sandbox() -> None:
    with ServedSandbox() as served:
        bucket = served.env["SANDBOX_BUCKET"]
        s3 = served.client("s3")
        escrow = "customer-escrow-123456789012-smtj-status"
        s3.create_bucket(Bucket=escrow)
        s3.put_object(Bucket=escrow, Key="run/step_1/model.safetensors", Body=b"weights")
        s3.put_object(Bucket=bucket, Key="incoming/over-http/manifest.json",
                      Body=json.dumps({"checkpoint_s3_bucket": f"s3://{escrow}/run/step_1/"}).encode())
        s3.put_object(Bucket=bucket, Key="incoming/no-source/manifest.json", Body=b"{}")
        sfn = served.client("stepfunctions")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            executions = sfn.list_executions(stateMachineArn=served.env["SANDBOX_STATE_MACHINE_ARN"])["executions"]
            if len(executions) == 2 and all(e["status"] != "RUNNING" for e in executions):
                break
            time.sleep(0.2)
        command = [sys.executable, "-m", "imports", "list", "--stack", "model-import-sandbox", "--json"]
        listed = subprocess.run(command, env=served.environ(), capture_output=True, text=True, timeout=120)
        shown = subprocess.run([sys.executable, "-m", "imports", "show", "over-http", "--stack", "model-import-sandbox"],
                               env=served.environ(), capture_output=True, text=True, timeout=120)

    assert listed.returncode == 0, listed.stderr
    document = json.loads(listed.stdout)
    assert document["stack"] == "model-import-sandbox"
    outcomes = {row["modelName"]: row["outcome"] for row in document["imports"]}
    assert outcomes == {"over-http": "ACTIVE", "no-source": "REJECTED"}
    assert shown.returncode == 0, shown.stderr
    assert "over-http" in shown.stdout and "ACTIVE" in shown.stdout
