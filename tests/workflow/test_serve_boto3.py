"""`python -m sandbox serve` driven by boto3 with endpoint_url, as a user's tests or pipeline
code would: the same path as the AWS CLI test, then many clients at once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from sandbox.served import ServedSandbox
from tests.workflow import notification_schema

pytestmark = pytest.mark.workflow

ESCROW = "customer-escrow-123456789012-smtj-boto001"


class Inbox:
    """Every notification read from the queue so far, by model name (the tests share the server)."""

    def __init__(self, served: ServedSandbox) -> None:
        self.served = served
        self.sqs = served.client("sqs")
        self.url = served.env["SANDBOX_NOTIFICATIONS_QUEUE_URL"]
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def receive(self, wait: int = 1) -> int:
        messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=wait,
                                            MessageAttributeNames=["All"]).get("Messages", [])
        if messages:
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                                      for i, m in enumerate(messages)])
        with self.lock:
            self.bodies += [notification_schema.check(m["Body"]) for m in messages]
        return len(messages)

    def of(self, *names: str, timeout: float = 90.0) -> dict[str, list[dict[str, Any]]]:
        """The notifications of these models, once each has at least one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = {n: [b for b in self.bodies if b["modelName"] == n] for n in names}
            if all(found.values()):
                return found
            self.receive()
        statuses = sorted(e["status"] for e in executions_of(self.served))
        others = [(b["modelName"], b["outcome"], (b["reason"] or "")[:300]) for b in self.bodies if b["modelName"] not in names]
        raise AssertionError(f"no notification for {[n for n in names if not found[n]]} after {timeout} s; "
                             f"executions: {statuses}; other notifications: {others}; server: {self.served.stderr()[-1500:]}")


@pytest.fixture(scope="module")
def served() -> Iterator[ServedSandbox]:
    with ServedSandbox() as server:
        server.client("s3").create_bucket(Bucket=ESCROW)
        yield server
    assert server.returncode == 0, server.stderr()[-2000:]


@pytest.fixture(scope="module")
def inbox(served: ServedSandbox) -> Inbox:
    return Inbox(served)


def stage(s3: Any, name: str) -> bytes:
    """The checkpoint at its escrow URI (as a training job leaves it); the manifest pointing at it."""
    s3.put_object(Bucket=ESCROW, Key=f"{name}/step_100/model.safetensors", Body=b"weights")
    return json.dumps({"checkpoint_s3_bucket": f"s3://{ESCROW}/{name}/step_100/"}).encode()


def executions_of(served: ServedSandbox, arns: set[str] | None = None) -> list[dict[str, Any]]:
    sfn = served.client("stepfunctions")
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=served.env["SANDBOX_STATE_MACHINE_ARN"])
    return [e for page in pages for e in page["executions"] if arns is None or e["executionArn"] in arns]


def test_boto3_drives_an_upload_a_manual_start_a_duplicate_and_a_rejection(served: ServedSandbox, inbox: Inbox) -> None:
    s3, sfn, bedrock = served.client("s3"), served.client("stepfunctions"), served.client("bedrock")
    bucket = served.env["SANDBOX_BUCKET"]

    s3.put_object(Bucket=bucket, Key="incoming/sdk-upload/manifest.json", Body=stage(s3, "sdk-upload"))
    stage(s3, "sdk-manual")
    manual = sfn.start_execution(
        stateMachineArn=served.env["SANDBOX_STATE_MACHINE_ARN"],
        input=json.dumps({"sourceUri": f"s3://{ESCROW}/sdk-manual/step_100/", "modelName": "sdk-manual"}),
    )["executionArn"]
    s3.put_object(Bucket=bucket, Key="incoming/sdk-duplicate/manifest.json", Body=stage(s3, "sdk-duplicate"),
                  Metadata={"sandbox-deliveries": "2"})
    s3.put_object(Bucket=bucket, Key="incoming/sdk-rejected/manifest.json", Body=b"[1, 2]")

    found = inbox.of("sdk-upload", "sdk-manual", "sdk-duplicate", "sdk-rejected")
    [upload], [by_hand], [duplicate], [rejected] = found.values()
    assert upload["outcome"] == by_hand["outcome"] == duplicate["outcome"] == "ACTIVE"
    assert upload["trigger"]["key"] == "incoming/sdk-upload/manifest.json" and upload["trigger"]["versionId"]
    assert by_hand["executionArn"] == manual
    assert sfn.describe_execution(executionArn=manual)["status"] == "SUCCEEDED"
    assert rejected["outcome"] == "REJECTED" and "JSON object" in rejected["reason"]
    model = bedrock.get_custom_model(modelIdentifier=upload["modelArn"])
    assert (model["modelName"], model["modelStatus"]) == ("sdk-upload", "Active")

    # the duplicate delivery: two executions of the same upload, one model, one notification
    duplicates = [e for e in executions_of(served)
                  if json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]).get("detail", {})
                  .get("object", {}).get("key") == "incoming/sdk-duplicate/manifest.json"]
    deadline = time.monotonic() + 30
    while any(e["status"] == "RUNNING" for e in duplicates) and time.monotonic() < deadline:
        time.sleep(0.1)
        duplicates = executions_of(served, {e["executionArn"] for e in duplicates})
    assert len(duplicates) == 2 and {e["status"] for e in duplicates} == {"SUCCEEDED"}
    [other] = [e["executionArn"] for e in duplicates if e["executionArn"] != duplicate["executionArn"]]
    events = sfn.get_execution_history(executionArn=other)["events"]
    assert [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e][-1] == "IgnoreDuplicateDelivery"
    assert [m["modelName"] for m in bedrock.list_custom_models(nameContains="sdk-duplicate")["modelSummaries"]] == ["sdk-duplicate"]
    inbox.receive(wait=1)
    assert len([b for b in inbox.bodies if b["modelName"] == "sdk-duplicate"]) == 1


def test_many_clients_at_once_each_upload_notified_once_and_the_state_stays_consistent(served: ServedSandbox, inbox: Inbox) -> None:
    bucket = served.env["SANDBOX_BUCKET"]
    names = [f"many-{i:02d}" for i in range(20)]
    manifests = {name: stage(served.client("s3"), name) for name in names}
    readers_ok = threading.Event()

    def uploader(mine: list[str]) -> None:
        s3 = served.client("s3")  # each client its own connections
        for name in mine:
            s3.put_object(Bucket=bucket, Key=f"incoming/{name}/manifest.json", Body=manifests[name])

    def reader() -> None:  # other clients reading meanwhile
        bedrock, sfn = served.client("bedrock"), served.client("stepfunctions")
        for _ in range(10):
            bedrock.list_custom_models()
            sfn.list_executions(stateMachineArn=served.env["SANDBOX_STATE_MACHINE_ARN"])
        readers_ok.set()

    with ThreadPoolExecutor(max_workers=7) as pool:
        futures = [pool.submit(uploader, names[i::5]) for i in range(5)] + [pool.submit(reader) for _ in range(2)]
        for future in futures:
            future.result()

    found = inbox.of(*names)
    assert readers_ok.is_set()
    assert all(len(bodies) == 1 and bodies[0]["outcome"] == "ACTIVE" for bodies in found.values()), found
    models = served.client("bedrock").list_custom_models(nameContains="many-")["modelSummaries"]
    assert sorted(m["modelName"] for m in models) == names and {m["modelStatus"] for m in models} == {"Active"}
    arns = {bodies[0]["executionArn"] for bodies in found.values()}
    assert len(arns) == 20 and {e["status"] for e in executions_of(served, arns)} == {"SUCCEEDED"}


def test_the_bedrock_operations_the_workflow_uses_answer_a_client_as_the_emulation_does(served: ServedSandbox) -> None:
    from botocore.exceptions import ClientError

    bedrock = served.client("bedrock")
    # The checkpoint is there: the emulated Bedrock fails an import whose escrow URI holds nothing.
    s3 = served.client("s3")
    try:
        s3.create_bucket(Bucket=ESCROW)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    s3.put_object(Bucket=ESCROW, Key="sdk-direct/step_100/model.safetensors", Body=b"weights")
    request = {"modelName": "sdk-direct", "roleArn": "arn:aws:iam::123456789012:role/import",
               "modelSourceConfig": {"s3DataSource": {"s3Uri": f"s3://{ESCROW}/sdk-direct/step_100/"}}}
    arn = bedrock.create_custom_model(**request, clientRequestToken="sdk-direct-1")["modelArn"]
    assert bedrock.create_custom_model(**request, clientRequestToken="sdk-direct-1")["modelArn"] == arn  # idempotent
    with pytest.raises(ClientError) as taken:
        bedrock.create_custom_model(**request)
    assert taken.value.response["Error"]["Code"] == "ConflictException"
    assert bedrock.get_custom_model(modelIdentifier=arn)["modelStatus"] == "Creating"
    assert bedrock.get_custom_model(modelIdentifier="sdk-direct")["modelStatus"] == "Active"  # the 2nd check (--polls 2)
    bedrock.delete_custom_model(modelIdentifier="sdk-direct")
    with pytest.raises(ClientError) as gone:
        bedrock.get_custom_model(modelIdentifier="sdk-direct")
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
