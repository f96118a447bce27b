"""Injected faults reach requests that arrive over HTTP (`serve --throttle P`), not only the
workflow's in-process calls; and `serve` stops cleanly, or refuses a taken port with exit 2."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
from botocore.exceptions import ClientError

from sandbox.served import ROOT, ServedSandbox
from tests.workflow import notification_schema

pytestmark = pytest.mark.workflow


def test_throttle_answers_a_clients_bedrock_calls_and_the_workflows_with_throttling_exception() -> None:
    with ServedSandbox("--throttle", "1") as served:
        bedrock = served.client("bedrock", retries={"max_attempts": 1, "mode": "standard"})
        with pytest.raises(ClientError) as raised:
            bedrock.list_custom_models()
        assert raised.value.response["Error"]["Code"] == "ThrottlingException"
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429

        s3, sqs = served.client("s3"), served.client("sqs")  # other services answer as usual
        escrow = "customer-escrow-123456789012-smtj-thr001"
        s3.create_bucket(Bucket=escrow)
        s3.put_object(Bucket=escrow, Key="m/step_100/model.safetensors", Body=b"weights")
        s3.put_object(Bucket=served.env["SANDBOX_BUCKET"], Key="incoming/throttled/manifest.json",
                      Body=json.dumps({"checkpoint_s3_bucket": f"s3://{escrow}/m/step_100/"}))
        deadline, messages = time.monotonic() + 90, []
        while not messages and time.monotonic() < deadline:
            messages = sqs.receive_message(QueueUrl=served.env["SANDBOX_NOTIFICATIONS_QUEUE_URL"], WaitTimeSeconds=1,
                                           MessageAttributeNames=["All"]).get("Messages", [])
        [message] = messages
        body = notification_schema.check(message["Body"])
        assert body["outcome"] == "ERROR" and "BedrockThrottled" in body["reason"], body
    assert served.returncode == 0


def test_a_port_in_use_is_exit_2_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--port", str(port)], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize(("args", "message"), [(["--port", "70000"], "--port"), (["--throttle", "2"], "--throttle"),
                                                (["--polls", "0"], "--polls")])
def test_bad_serve_options_are_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "sandbox", "serve", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr


def test_mocks_control_api_is_not_served_so_no_client_can_reset_the_stack() -> None:
    import urllib.error
    import urllib.request

    with ServedSandbox() as served:
        request = urllib.request.Request(f"{served.endpoint}/moto-api/reset", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 404
        buckets = [b["Name"] for b in served.client("s3").list_buckets()["Buckets"]]
        assert served.env["SANDBOX_BUCKET"] in buckets  # the stack is still there
    assert served.returncode == 0
