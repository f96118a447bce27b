"""The ledger's conditional put has exactly one winner however many try at once, as on DynamoDB
(moto alone checks and writes without a lock: two racing deliveries could both claim an upload)."""

from __future__ import annotations

import threading

import boto3
import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.workflow


def test_racing_conditional_puts_on_one_key_have_exactly_one_winner(sb, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from moto.dynamodb.models import table as moto_table

    parse = moto_table.get_filter_expression

    def slow_parse(*args: object) -> object:  # widen moto's window between reading the item and writing it
        time.sleep(0.02)
        return parse(*args)

    monkeypatch.setattr(moto_table, "get_filter_expression", slow_parse)
    table = sb.stack.outputs["ImportLedgerTableName"]
    start = threading.Barrier(16)
    results: list[str] = []

    def claim(n: int) -> None:
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        start.wait()
        try:
            dynamodb.put_item(TableName=table, Item={"pk": {"S": "token-1"}, "claimedBy": {"S": f"execution-{n}"}},
                              ConditionExpression="attribute_not_exists(pk)")
            results.append("claimed")
        except ClientError as err:
            results.append(err.response["Error"]["Code"])

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ConditionalCheckFailedException"] * 15 + ["claimed"]


def test_messages_sent_while_others_are_deleted_all_arrive_once(sb, monkeypatch: pytest.MonkeyPatch) -> None:
    """A subscriber deleting what it read while notifications keep arriving loses none of them."""
    import time

    from moto.sqs.models import Queue

    class SwitchAfterLast(list):  # type: ignore[type-arg]
        """A thread switch right after the last message was looked at: where moto's DeleteMessage,
        unlocked, would replace the list without a message appended meanwhile."""

        def __iter__(self):  # type: ignore[no-untyped-def]
            yield from list.__iter__(self)
            time.sleep(0.003)

    def get(queue: Queue) -> list:  # type: ignore[type-arg]
        return queue.__dict__.get("_switching", queue.__dict__.get("_messages"))

    def put(queue: Queue, value: list) -> None:  # type: ignore[type-arg]
        queue.__dict__["_switching"] = SwitchAfterLast(value)

    monkeypatch.setattr(Queue, "_messages", property(get, put), raising=False)
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="race")["QueueUrl"]
    sent = [f"m{i}" for i in range(40)]
    received: list[str] = []

    def send() -> None:
        client = boto3.client("sqs", region_name="us-east-1")
        for body in sent:
            client.send_message(QueueUrl=url, MessageBody=body)

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 30
    while len(received) < len(sent) and time.monotonic() < deadline:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        received += [m["Body"] for m in batch]
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sender.join()
    assert sorted(received) == sorted(sent)
