"""PublishResult's settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from model_import.settings.environment import env_str


@dataclass(frozen=True)
class PublishSettings:
    topic_arn: str
    ledger_table: str
    ledger_ttl_days: int = 7

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> PublishSettings:
        return cls(topic_arn=env_str(env, "TOPIC_ARN"), ledger_table=env_str(env, "LEDGER_TABLE"))
