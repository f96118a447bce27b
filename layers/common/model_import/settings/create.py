"""CreateCustomModel's settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from model_import.settings.environment import env_str
from model_import.settings.poll import PollSettings


@dataclass(frozen=True)
class CreateSettings:
    import_role_arn: str
    model_kms_key_arn: str | None
    poll: PollSettings

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> CreateSettings:
        return cls(
            import_role_arn=env_str(env, "IMPORT_ROLE_ARN"),
            model_kms_key_arn=env_str(env, "MODEL_KMS_KEY_ARN", "") or None,
            poll=PollSettings.from_env(env),
        )
