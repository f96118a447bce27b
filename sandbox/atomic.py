"""DynamoDB's conditional writes are atomic on AWS; moto checks the condition, then writes, with
nothing in between held: two threads can both pass `attribute_not_exists(pk)`. The ledger relies on
that atomicity (two deliveries of one upload racing to ClaimImportRequest: exactly one wins), and
under `serve` many requests and executions run at once, so the sandbox serialises moto's item
writes per backend (reads are untouched).

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
