"""boto3 clients, created lazily once per cold start (only the ones a function uses).

The SDK's own retries are off (one attempt): Step Functions owns the retry policy, so a
throttle reaches the state machine at once and shows in the execution history.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=20,
        user_agent_extra="bedrock-model-import-pipeline",
    )
    return boto3.client(service, config=config)


def reset() -> None:
    """Forget cached clients (tests and the sandbox use this after changing endpoints)."""
    client.cache_clear()
