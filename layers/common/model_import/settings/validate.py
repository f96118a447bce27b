"""ValidateArtifacts' settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from model_import.errors import ConfigurationError
from model_import.settings.environment import csv_values, env_int, env_str

#: DeployAfterImport's values (template.yaml AllowedValues; a test holds them equal).
DEPLOY_MODES = ("none", "on-demand", "provisioned")


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
    stack_name: str = ""  # AWS::StackName: the provenance tag model-import:stack on every request
    deploy_after_import: str = "none"  # DeployAfterImport: the default deploy mode (DEPLOY_MODES)
    max_provisioned_model_units: int = 0  # MaxProvisionedModelUnits: 0 allows no Provisioned Throughput
    smoke_test_prompt: str = ""  # SmokeTestPrompt: the default smoke-test prompt ("" = none)

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
            stack_name=env_str(env, "STACK_NAME"),
            deploy_after_import=_deploy_mode(env_str(env, "DEPLOY_AFTER_IMPORT", "none")),
            max_provisioned_model_units=env_int(env, "MAX_PROVISIONED_MODEL_UNITS", "0", minimum=0),
            smoke_test_prompt=_smoke_test_prompt(env_str(env, "SMOKE_TEST_PROMPT", "")),
        )


def _smoke_test_prompt(raw: str) -> str:
    if len(raw) > 4000:  # deploy_options.PROMPT_MAX, as the template's MaxLength
        raise ConfigurationError(f"environment variable SMOKE_TEST_PROMPT must be at most 4000 characters, got {len(raw)}")
    return raw


def _deploy_mode(raw: str) -> str:
    if raw not in DEPLOY_MODES:
        raise ConfigurationError(f"environment variable DEPLOY_AFTER_IMPORT must be one of {', '.join(DEPLOY_MODES)}, got {raw!r}")
    return raw
