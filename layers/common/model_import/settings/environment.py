"""Reading typed values from the environment; every failure names the variable."""

from __future__ import annotations

from collections.abc import Mapping

from model_import.errors import ConfigurationError


def env_str(env: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = env.get(name, default)
    if value is None:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


def env_int(env: Mapping[str, str], name: str, default: str | None = None, minimum: int = 1) -> int:
    raw = env_str(env, name, default)
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"environment variable {name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"environment variable {name} must be at least {minimum}, got {value}")
    return value


def csv_values(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())
