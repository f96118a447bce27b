"""AcquireImportSlot's settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from model_import.settings.environment import env_int, env_str
from model_import.settings.poll import PollSettings


@dataclass(frozen=True)
class SlotSettings:
    ledger_table: str
    max_concurrent_imports: int
    poll: PollSettings

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> SlotSettings:
        return cls(
            ledger_table=env_str(env, "LEDGER_TABLE"),
            max_concurrent_imports=env_int(env, "MAX_CONCURRENT_IMPORTS", "1"),
            poll=PollSettings.from_env(env),
        )
