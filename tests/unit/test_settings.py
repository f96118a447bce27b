"""Settings parsed once from the environment; a bad variable fails at init, naming itself."""

import pytest

from model_import.errors import ConfigurationError
from model_import.settings import CreateSettings, PollSettings, PublishSettings, ValidateSettings, parse_default_tags
from tests.support import ALLOWED_PREFIX, BUCKET, CREATE_ENV, IMPORT_ROLE_ARN, VALIDATE_ENV


def test_validate_settings_come_from_the_template_environment():
    settings = ValidateSettings.from_env(VALIDATE_ENV)
    assert settings.artifact_bucket == BUCKET
    assert settings.incoming_prefix == "incoming/"
    assert settings.trigger_file_name == "manifest.json"
    assert settings.account_id == "123456789012"
    assert settings.allowed_source_prefixes == (ALLOWED_PREFIX,)
    assert settings.default_tags == {"team": "ml-platform"}
    assert settings.max_trigger_bytes == 1024 * 1024


def test_optional_validate_variables_default_to_empty():
    env = {k: v for k, v in VALIDATE_ENV.items() if k not in ("ALLOWED_SOURCE_PREFIXES", "DEFAULT_TAGS")}
    settings = ValidateSettings.from_env(env)
    assert (settings.allowed_source_prefixes, settings.default_tags) == ((), {})


def test_allowed_prefixes_are_a_comma_separated_list():
    env = {**VALIDATE_ENV, "ALLOWED_SOURCE_PREFIXES": " s3://a-a/x/ ,, s3://b-b/y/"}
    assert ValidateSettings.from_env(env).allowed_source_prefixes == ("s3://a-a/x/", "s3://b-b/y/")


@pytest.mark.parametrize(
    ("raw", "tags"),
    [
        ("", {}),
        ("team=ml", {"team": "ml"}),
        ("a=1, b = two ,c=", {"a": "1", "b": "two", "c": ""}),
        ("k=v=w", {"k": "v=w"}),
    ],
)
def test_default_tags_are_key_value_pairs(raw, tags):
    assert parse_default_tags(raw) == tags


@pytest.mark.parametrize("raw", ["novalue", "=v", '{"team": "ml"}'])
def test_malformed_default_tags_fail_naming_the_variable(raw):
    with pytest.raises(ConfigurationError, match="DEFAULT_TAGS must be key=value pairs"):
        parse_default_tags(raw)


@pytest.mark.parametrize("name", ["ARTIFACT_BUCKET", "INCOMING_PREFIX", "TRIGGER_FILE_NAME", "ACCOUNT_ID"])
def test_a_missing_required_variable_is_named(name):
    env = {k: v for k, v in VALIDATE_ENV.items() if k != name}
    with pytest.raises(ConfigurationError, match=f"environment variable {name} is not set"):
        ValidateSettings.from_env(env)


@pytest.mark.parametrize("prefix", ["incoming", "/incoming/"])
def test_an_incoming_prefix_must_end_but_not_start_with_a_slash(prefix):
    with pytest.raises(ConfigurationError, match="INCOMING_PREFIX must end with '/'"):
        ValidateSettings.from_env({**VALIDATE_ENV, "INCOMING_PREFIX": prefix})


def test_create_settings_include_the_poll_schedule():
    settings = CreateSettings.from_env(CREATE_ENV)
    assert settings.import_role_arn == IMPORT_ROLE_ARN
    assert settings.model_kms_key_arn is None
    assert settings.poll == PollSettings(poll_interval_seconds=60, import_timeout_minutes=240)


def test_poll_settings_default_to_the_templates_defaults():
    assert PollSettings.from_env({}) == PollSettings(60, 240)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("abc", "POLL_INTERVAL_SECONDS must be an integer, got 'abc'"),
        ("0", "POLL_INTERVAL_SECONDS must be at least 1, got 0"),
    ],
)
def test_a_malformed_number_is_named(value, words):
    with pytest.raises(ConfigurationError, match=words):
        PollSettings.from_env({"POLL_INTERVAL_SECONDS": value})


def test_publish_settings_name_topic_and_ledger():
    settings = PublishSettings.from_env({"TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:t", "LEDGER_TABLE": "l"})
    assert (settings.topic_arn, settings.ledger_table, settings.ledger_ttl_days) == (
        "arn:aws:sns:us-east-1:123456789012:t",
        "l",
        7,
    )
    with pytest.raises(ConfigurationError, match="LEDGER_TABLE is not set"):
        PublishSettings.from_env({"TOPIC_ARN": "x"})
