"""The polling loop's settings (CreateCustomModel and CheckModelStatus)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from model_import.settings.environment import env_int


@dataclass(frozen=True)
class PollSettings:
    poll_interval_seconds: int
    import_timeout_minutes: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> PollSettings:
        return cls(
            poll_interval_seconds=env_int(env, "POLL_INTERVAL_SECONDS", "60"),
            import_timeout_minutes=env_int(env, "IMPORT_TIMEOUT_MINUTES", "240"),
        )
