"""Two of moto's read-then-write races that AWS does not have, closed for the sandbox, where many
executions (and, under `serve`, many HTTP clients) run at once:

- DynamoDB's conditional writes are atomic on AWS; moto checks the condition, then writes, with
  nothing held in between: two threads can both pass `attribute_not_exists(pk)`. The ledger relies
  on that atomicity (two deliveries of one upload racing to ClaimImportRequest: exactly one wins),
  so moto's item writes are serialised per backend (reads are untouched).
- SQS: moto's DeleteMessage rebuilds the queue's message list without the lock SendMessage appends
  under, so a message sent meanwhile is lost (a notification a subscriber never receives while it
  deletes the ones it read). DeleteMessage takes that same lock.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.SpecifyingConditions.html (a condition is
evaluated against the item as it is when the write is performed; the write succeeds only if it holds)
"""

from __future__ import annotations

import functools
import threading
from typing import Any

#: DynamoDBBackend methods that check a condition and then write.
WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


def install(patcher: Any) -> None:
    _install_dynamodb(patcher)
    _install_sqs(patcher)


def _install_sqs(patcher: Any) -> None:
    from moto.sqs.models import Queue

    original = Queue.delete_message

    @functools.wraps(original)
    def delete_message(self: Any, receipt_handle: str) -> None:
        with self._messages_lock:  # the Condition add_message appends under (an RLock inside)
            original(self, receipt_handle)

    patcher.setattr(Queue, "delete_message", delete_message)


def _install_dynamodb(patcher: Any) -> None:
    from moto.dynamodb.models import DynamoDBBackend

    guard = threading.Lock()
    locks: dict[int, threading.RLock] = {}

    def lock_of(backend: Any) -> threading.RLock:
        with guard:
            return locks.setdefault(id(backend), threading.RLock())

    for name in WRITES:
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def write(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock_of(self):
                return __original(self, *args, **kwargs)

        patcher.setattr(DynamoDBBackend, name, write)
