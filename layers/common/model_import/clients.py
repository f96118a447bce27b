"""boto3 clients, created lazily once per cold start (only the ones a function uses).

The SDK's own retries are off (one attempt): Step Functions owns the retry policy, so a
throttle reaches the state machine at once and shows in the execution history.

An operation the SDK does not know (an older botocore than the code needs, e.g. Lambda's bundled
SDK without bedrock create_custom_model) fails as AwsSdkTooOld, naming the version and the fix.
"""

from __future__ import annotations

from functools import cache
from typing import Any


#: bedrock-runtime answers only when the whole generation is done: a smoke test of up to 4,096 tokens
#: may take minutes (SmokeTestFunction's Timeout is 300 s). Every other call answers at once.
RUNTIME_READ_TIMEOUT = 270
READ_TIMEOUT = 20


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=RUNTIME_READ_TIMEOUT if service == "bedrock-runtime" else READ_TIMEOUT,
        user_agent_extra="bedrock-model-import-pipeline",
    )
    made = boto3.client(service, config=config)
    # botocore emits getattr.<service-id>.<name> just before raising AttributeError for a missing name.
    made.meta.events.register(f"getattr.{made.meta.service_model.service_id.hyphenize()}", _missing_operation)
    return made


def _missing_operation(event_name: str, **_: Any) -> None:
    name = event_name.rsplit(".", 1)[-1]
    if name.startswith("_"):
        return  # a dunder or private probe, not an operation: the usual AttributeError
    import boto3
    import botocore

    from model_import.errors import AwsSdkTooOld

    service = event_name.split(".")[1]
    raise AwsSdkTooOld(
        f"the {service} client of botocore {botocore.__version__} (boto3 {boto3.__version__}) has no operation "
        f"{name}: this SDK predates it. Pin a boto3/botocore that has it in layers/common/requirements.txt "
        "(sam build bundles them into the shared layer) and deploy again."
    )


def reset() -> None:
    """Forget cached clients (tests and the sandbox use this after changing endpoints)."""
    client.cache_clear()
