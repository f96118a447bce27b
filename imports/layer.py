"""The shared layer's notification code, so `show` rebuilds the notification exactly as PublishResult
built it (one schema, one implementation: layers/common/model_import)."""

from __future__ import annotations

import sys
from pathlib import Path

_LAYER = Path(__file__).resolve().parents[1] / "layers" / "common"
if str(_LAYER) not in sys.path:
    sys.path.append(str(_LAYER))

from model_import.notification import build_notification  # noqa: E402
from model_import.inputs import parse_input_or_none  # noqa: E402
from model_import.publish import ledger_key  # noqa: E402

__all__ = ["build_notification", "ledger_key", "parse_input_or_none"]
