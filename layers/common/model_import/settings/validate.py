"""ValidateArtifacts' settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from model_import.errors import ConfigurationError
from model_import.settings.environment import csv_values, env_str


def parse_default_tags(raw: str) -> dict[str, str]:
    """`key=value,key2=value2` (Bedrock tag values cannot contain ',', so it is a safe separator;
    a value may contain '='). Tag rules themselves are checked by the validator."""
    tags: dict[str, str] = {}
    for pair in csv_values(raw):
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
    region: str = ""  # AWS_REGION, which Lambda always sets: model packages must be of this region
    allowed_model_kms_key_arns: tuple[str, ...] = ()  # keys a request may name as modelKmsKeyArn
    model_package_group_names: tuple[str, ...] = ()  # Model Registry groups whose approvals are imported

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ValidateSettings:
        prefix = env_str(env, "INCOMING_PREFIX")
        if not prefix.endswith("/") or prefix.startswith("/"):
            raise ConfigurationError(f"environment variable INCOMING_PREFIX must end with '/' and not start with one, got {prefix!r}")
        tags = parse_default_tags(env_str(env, "DEFAULT_TAGS", ""))
        return cls(
            artifact_bucket=env_str(env, "ARTIFACT_BUCKET"),
            incoming_prefix=prefix,
            trigger_file_name=env_str(env, "TRIGGER_FILE_NAME"),
            account_id=env_str(env, "ACCOUNT_ID"),
            allowed_source_prefixes=csv_values(env_str(env, "ALLOWED_SOURCE_PREFIXES", "")),
            default_tags=tags,
            region=env_str(env, "AWS_REGION", ""),
            allowed_model_kms_key_arns=csv_values(env_str(env, "ALLOWED_MODEL_KMS_KEY_ARNS", "")),
            model_package_group_names=csv_values(env_str(env, "MODEL_PACKAGE_GROUP_NAMES", "")),
        )
