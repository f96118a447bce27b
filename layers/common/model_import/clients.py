"""boto3 clients, created lazily once per cold start (only the ones a function uses).

The SDK's own retries are off (one attempt): Step Functions owns the retry policy, so a
throttle reaches the state machine at once and shows in the execution history.

An operation the SDK does not know (an older botocore than the code needs, e.g. Lambda's bundled
SDK without bedrock create_custom_model) fails as AwsSdkTooOld, naming the version and the fix.
"""

from __future__ import annotations

from functools import cache
from typing import Any


READ_TIMEOUT_SECONDS = 20
#: bedrock-runtime answers only once the whole completion is generated: up to 4,096 tokens of a
#: smoke test (deploy_options.MAX_TOKENS_MAX) from a large imported model can take minutes ("Large
#: models ... can take more than sixty seconds", AWS knowledge center bedrock-large-model-read-timeouts).
#: Below SmokeTestFunction's Timeout (template.yaml), so a slow answer ends as the SDK's named error.
RUNTIME_READ_TIMEOUT_SECONDS = 240


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=RUNTIME_READ_TIMEOUT_SECONDS if service == "bedrock-runtime" else READ_TIMEOUT_SECONDS,
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
