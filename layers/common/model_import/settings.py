"""Typed settings, parsed once per cold start from the environment the template sets.

A missing or malformed variable raises ConfigurationError naming it, at init, so a
misconfigured deployment fails loudly on its first invocation rather than mid-import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from model_import.errors import ConfigurationError


def _get(env: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = env.get(name, default)
    if value is None:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


def _int(env: Mapping[str, str], name: str, default: str | None = None, minimum: int = 1) -> int:
    raw = _get(env, name, default)
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"environment variable {name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"environment variable {name} must be at least {minimum}, got {value}")
    return value


def _csv(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def parse_default_tags(raw: str) -> dict[str, str]:
    """`key=value,key2=value2` (Bedrock tag values cannot contain ',', so it is a safe separator;
    a value may contain '='). Tag rules themselves are checked by the validator."""
    tags: dict[str, str] = {}
    for pair in _csv(raw):
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigurationError(f"environment variable DEFAULT_TAGS must be key=value pairs separated by commas, got {pair!r}")
        tags[key.strip()] = value.strip()
    return tags


@dataclass(frozen=True)
class ValidateSettings:
    artifact_bucket: str
    incoming_prefix: str
    trigger_file_name: str
    account_id: str
    allowed_source_prefixes: tuple[str, ...]
    default_tags: dict[str, str]
    max_trigger_bytes: int = 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ValidateSettings:
        prefix = _get(env, "INCOMING_PREFIX")
        if not prefix.endswith("/") or prefix.startswith("/"):
            raise ConfigurationError(f"environment variable INCOMING_PREFIX must end with '/' and not start with one, got {prefix!r}")
        tags = parse_default_tags(_get(env, "DEFAULT_TAGS", ""))
        return cls(
            artifact_bucket=_get(env, "ARTIFACT_BUCKET"),
            incoming_prefix=prefix,
            trigger_file_name=_get(env, "TRIGGER_FILE_NAME"),
            account_id=_get(env, "ACCOUNT_ID"),
            allowed_source_prefixes=_csv(_get(env, "ALLOWED_SOURCE_PREFIXES", "")),
            default_tags=tags,
        )


@dataclass(frozen=True)
class PollSettings:
    poll_interval_seconds: int
    import_timeout_minutes: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> PollSettings:
        return cls(
            poll_interval_seconds=_int(env, "POLL_INTERVAL_SECONDS", "60"),
            import_timeout_minutes=_int(env, "IMPORT_TIMEOUT_MINUTES", "240"),
        )


@dataclass(frozen=True)
class CreateSettings:
    import_role_arn: str
    model_kms_key_arn: str | None
    poll: PollSettings

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> CreateSettings:
        return cls(
            import_role_arn=_get(env, "IMPORT_ROLE_ARN"),
            model_kms_key_arn=_get(env, "MODEL_KMS_KEY_ARN", "") or None,
            poll=PollSettings.from_env(env),
        )


@dataclass(frozen=True)
class PublishSettings:
    topic_arn: str
    ledger_table: str
    ledger_ttl_days: int = 7

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> PublishSettings:
        return cls(topic_arn=_get(env, "TOPIC_ARN"), ledger_table=_get(env, "LEDGER_TABLE"))
