"""The offline sandbox: the real template.yaml deployed into an embedded AWS built on moto.

    python -m sandbox run --artifacts examples/nova-micro-demo

The Python API the workflow tests use:

    from sandbox import Sandbox, BedrockBehaviour, Faults

    with Sandbox(bedrock=BedrockBehaviour(outcome="active", polls=2)) as sb:
        sb.upload_folder("examples/nova-micro-demo")
        sb.wait_all()
        sb.notifications()  # the SNS message bodies, as published

Names are imported on first use, so `python -m sandbox --help` does not load moto.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BedrockBehaviour": "sandbox.bedrock",
    "Fault": "sandbox.faults",
    "Faults": "sandbox.faults",
    "Execution": "sandbox.session",
    "Notification": "sandbox.session",
    "Sandbox": "sandbox.session",
}

__all__ = ["BedrockBehaviour", "Execution", "Fault", "Faults", "Notification", "Sandbox"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
