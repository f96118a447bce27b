"""Bedrock's account quotas in the emulator: how many imports may be in flight at once (created,
not yet Active or Failed), and how many custom models an account may hold.

Defaults are unlimited: the quota pages we could read document no default for either (README,
"Quotas"); `--quota concurrent=N,models=M` sets them. A request over a quota is refused the way
AWS refuses one, with ServiceQuotaExceededException (HTTP 400, botocore's bedrock service model)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

UNLIMITED = None
_PARTS = {"concurrent": "concurrent", "models": "models", "model-units": "model_units"}


@dataclass
class Quotas:
    concurrent: int | None = UNLIMITED  # imports in flight at once
    models: int | None = UNLIMITED  # custom models the account holds
    # model units of Provisioned Throughput, account total (sandbox/provisioned.py); None: AWS's documented defaults
    model_units: int | None = UNLIMITED
    peak_in_flight: int = 0  # the most imports ever in flight at once (the emulator's own record)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (quota, modelName) of each refusal
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @classmethod
    def parse(cls, text: str) -> Quotas:
        """'concurrent=2,models=5,model-units=1' (each part optional). ValueError says what is wrong."""
        values: dict[str, int] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, raw = part.partition("=")
            if not sep or name.strip() not in _PARTS:
                raise ValueError(f"--quota takes concurrent=N,models=M,model-units=U, got {part!r}")
            try:
                number = int(raw)
            except ValueError:
                raise ValueError(f"--quota {name.strip()} must be a whole number, got {raw!r}") from None
            if number < 1:
                raise ValueError(f"--quota {name.strip()} must be at least 1, got {number}")
            values[_PARTS[name.strip()]] = number
        return cls(**values)

    def admit(self, models: list[Any], name: str) -> None:
        """Before a new model is created: refuse it as AWS would, or count it in flight."""
        from sandbox.bedrock import BedrockError

        in_flight = sum(1 for m in models if m.status == "Creating")
        with self._lock:
            if self.models is not None and len(models) >= self.models:
                self.refused.append(("models", name))
                raise BedrockError(
                    "ServiceQuotaExceededException",
                    f"You have reached the maximum number of custom models ({self.models}) allowed for your account. "
                    "Delete a custom model or request a quota increase."
                )
            if self.concurrent is not None and in_flight >= self.concurrent:
                self.refused.append(("concurrent", name))
                raise BedrockError(
                    "ServiceQuotaExceededException",
                    f"You have reached the maximum number of concurrent model imports ({self.concurrent}) "
                    "allowed for your account. Wait for an import to finish or request a quota increase."
                )
            self.peak_in_flight = max(self.peak_in_flight, in_flight + 1)
