"""Typed settings, parsed once per cold start from the environment the template sets.

A missing or malformed variable raises ConfigurationError naming it, at init, so a
misconfigured deployment fails loudly on its first invocation rather than mid-import.

Each step's settings class lives in its own module, loaded on first use: a function creates
only the classes it needs (each frozen dataclass costs ~0.8 ms of cold start; see
bench/cold_start.py). `from model_import.settings import PollSettings` works as usual.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model_import.settings.create import CreateSettings
    from model_import.settings.deploy import DeploySettings
    from model_import.settings.poll import PollSettings
    from model_import.settings.publish import PublishSettings
    from model_import.settings.slots import SlotSettings
    from model_import.settings.validate import ValidateSettings, parse_default_tags

_HOMES = {
    "CreateSettings": "create",
    "DeploySettings": "deploy",
    "PollSettings": "poll",
    "PublishSettings": "publish",
    "SlotSettings": "slots",
    "ValidateSettings": "validate",
    "parse_default_tags": "validate",
}

__all__ = ["CreateSettings", "DeploySettings", "PollSettings", "PublishSettings", "SlotSettings", "ValidateSettings", "parse_default_tags"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
