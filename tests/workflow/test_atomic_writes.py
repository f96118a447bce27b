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
