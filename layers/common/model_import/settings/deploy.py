"""DeployModel's settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from model_import.settings.environment import env_int, env_str
from model_import.settings.poll import PollSettings


@dataclass(frozen=True)
class DeploySettings:
    stack_name: str  # the value of the model-import:stack tag this stack's deployments carry
    max_provisioned_model_units: int  # the cost guard, re-read here: 0 = no Provisioned Throughput
    poll: PollSettings

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> DeploySettings:
        return cls(
            stack_name=env_str(env, "STACK_NAME"),
            max_provisioned_model_units=env_int(env, "MAX_PROVISIONED_MODEL_UNITS", "0", minimum=0),
            poll=PollSettings.from_env(env),
        )
