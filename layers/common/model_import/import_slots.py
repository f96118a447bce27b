"""The workflow's own import semaphore: at most MaxConcurrentImports imports between their create
call and their end, so that a burst of uploads waits its turn instead of hitting Bedrock's quota.

One ledger item (pk "import-slots") holds two maps keyed by execution name:
- holders: the imports that hold a slot, each with a lease that ends when the import must have
  ended (its ImportTimeoutMinutes and a margin). PublishResult removes its own entry on every path
  that ends an import; a lease that ran out (an execution stopped or crashed outside its Catch
  clauses) frees its slot by itself.
- waiters: the imports waiting for one, with their arrival (the execution's start) and when they
  last asked. Free slots go to the oldest waiters first, so imports are admitted in arrival order;
  a waiter that stopped asking (its execution ended) is forgotten.
Each change is a read and a put conditional on the item's version (optimistic locking): two
executions never both take the last slot, and a release (which bumps the version) is never undone.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

from model_import import aws_errors
from model_import.aws_errors import error_code, translate

SLOTS_KEY = "import-slots"
LEASE_MARGIN_SECONDS = 15 * 60  # beyond the import's own deadline: the steps after the last check
#: Rounds of AcquireImportSlot at most: with the status loop's MAX_CHECKS, the history bound holds
#: even when every round uses its whole retry budget (tests/template/test_state_machine_graph.py).
MAX_SLOT_ROUNDS = 200
MAX_BACKOFF_INTERVALS = 5  # the longest wait between two asks, in intervals
WRITE_ATTEMPTS = 5  # conditional puts lost to other executions before this round gives up (and waits)


@dataclass(frozen=True)
class Admission:
    admitted: bool
    position: int  # 0 when admitted; else the place in the queue (1 = next)
    in_flight: int  # slots held after this decision


def decide(
    holders: dict[str, int],
    waiters: dict[str, tuple[str, int]],
    me: str,
    arrived: str,
    now: int,
    limit: int,
    lease_seconds: int,
    stale_seconds: int,
) -> tuple[Admission, dict[str, int], dict[str, tuple[str, int]]]:
    """Pure: admit `me` or queue it. holders: name -> lease end (epoch s); waiters: name ->
    (arrival ISO time, last asked epoch s). Returns the decision and the maps to store."""
    holders = {name: end for name, end in holders.items() if end > now}
    waiters = {name: w for name, w in waiters.items() if w[1] >= now - stale_seconds and name not in holders}
    if me in holders:  # a retry of this step after its put went through
        return Admission(True, 0, len(holders)), holders, waiters
    waiters[me] = (arrived, now)
    queue = sorted(waiters, key=lambda name: (waiters[name][0], name))
    free = max(0, limit - len(holders))
    if queue.index(me) < free:
        del waiters[me]
        holders[me] = now + lease_seconds
        return Admission(True, 0, len(holders)), holders, waiters
    return Admission(False, queue.index(me) - free + 1, len(holders)), holders, waiters


def _read(dynamodb: Any, table: str) -> tuple[dict[str, Any] | None, dict[str, int], dict[str, tuple[str, int]]]:
    try:
        item = dynamodb.get_item(TableName=table, Key={"pk": {"S": SLOTS_KEY}}, ConsistentRead=True).get("Item")
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "dynamodb", "GetItem") from err
    if item is None:
        return None, {}, {}
    holders = {name: int(v["N"]) for name, v in item.get("holders", {}).get("M", {}).items()}
    waiters = {
        name: (v["M"]["arrived"]["S"], int(v["M"]["seen"]["N"])) for name, v in item.get("waiters", {}).get("M", {}).items()
    }
    return item, holders, waiters


def acquire(dynamodb: Any, table: str, me: str, arrived: str, limit: int, lease_seconds: int, stale_seconds: int) -> Admission:
    """Take a slot for execution `me`, or join the queue. Retry-safe: a holder asking again keeps its slot."""
    admission = Admission(False, 0, limit)
    for _ in range(WRITE_ATTEMPTS):
        item, holders, waiters = _read(dynamodb, table)
        now = int(time.time())
        admission, holders, waiters = decide(holders, waiters, me, arrived, now, limit, lease_seconds, stale_seconds)
        version = int(item["version"]["N"]) if item else 0
        try:
            dynamodb.put_item(
                TableName=table,
                Item={
                    "pk": {"S": SLOTS_KEY},
                    "version": {"N": str(version + 1)},
                    "holders": {"M": {name: {"N": str(end)} for name, end in holders.items()}},
                    "waiters": {
                        "M": {name: {"M": {"arrived": {"S": a}, "seen": {"N": str(s)}}} for name, (a, s) in waiters.items()}
                    },
                },
                ConditionExpression="attribute_not_exists(pk) OR version = :v",
                ExpressionAttributeValues={":v": {"N": str(version)}},
            )
            return admission
        except aws_errors.ClientError as err:
            if error_code(err) != "ConditionalCheckFailedException":
                raise translate(err, "dynamodb", "PutItem") from err
        except aws_errors.BotoCoreError as err:
            raise translate(err, "dynamodb", "PutItem") from err
        time.sleep(random.uniform(0.01, 0.1))  # noqa: S311 - jitter, not security
    return Admission(False, admission.position or 1, admission.in_flight)  # lost every race: wait a round


def release(dynamodb: Any, table: str, me: str) -> None:
    """Give back the slot of execution `me`, if it holds one; never anyone else's (keyed by name).
    Idempotent: an execution that held none, or already gave it back, changes nothing."""
    try:
        dynamodb.update_item(
            TableName=table,
            Key={"pk": {"S": SLOTS_KEY}},
            UpdateExpression="REMOVE holders.#me, waiters.#me ADD version :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#me": me},
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    except aws_errors.ClientError as err:
        if error_code(err) != "ConditionalCheckFailedException":  # no semaphore item: nothing held
            raise translate(err, "dynamodb", "UpdateItem") from err
    except aws_errors.BotoCoreError as err:
        raise translate(err, "dynamodb", "UpdateItem") from err


def _backoff(interval: int, admission: Admission, settings: Any) -> int:
    """Far back in the queue, ask less often: the waiter at position p needs about p / limit imports
    to end first. The next in line asks every interval, so a freed slot is taken within one."""
    rounds_ahead = -(-admission.position // settings.max_concurrent_imports)  # ceil
    return interval * max(1, min(rounds_ahead, MAX_BACKOFF_INTERVALS))


def slot_round(dynamodb: Any, event: dict[str, Any], settings: Any) -> dict[str, Any]:
    """One AcquireImportSlot round: the $.slot the state machine routes on. waitedSeconds sums the
    WaitForImportSlot states so far (as the status loop counts its waits), bounded by ImportTimeoutMinutes."""
    import math

    execution = event["execution"]
    previous = event.get("slot") or {}
    waited = int(previous.get("waitedSeconds", 0)) + int(previous.get("waitSeconds", 0))
    timeout = settings.poll.import_timeout_minutes * 60
    interval = max(settings.poll.poll_interval_seconds, math.ceil(timeout / MAX_SLOT_ROUNDS))
    admission = acquire(
        dynamodb,
        settings.ledger_table,
        str(execution["name"]),
        str(execution["startedAt"]),
        settings.max_concurrent_imports,
        lease_seconds=timeout + interval + LEASE_MARGIN_SECONDS,
        stale_seconds=3 * interval + 60,
    )
    return {
        "admitted": admission.admitted,
        "position": admission.position,
        "inFlight": admission.in_flight,
        "limit": settings.max_concurrent_imports,
        "waitedSeconds": waited,
        "waitSeconds": 0 if admission.admitted else max(1, min(_backoff(interval, admission, settings), timeout - waited)),
        "deadlineReached": not admission.admitted and waited >= timeout,
    }
