"""ValidateArtifacts with "deploy" and "smokeTest": the trigger file, the manual input and a Model
Registry approval resolve them against the stack's settings; the request carries them and the
provenance tag model-import:stack."""

from dataclasses import replace

import pytest

from model_import.errors import ConfigurationError, ImportRejected
from model_import.request import DeployRequest, ImportRequest, SmokeTestRequest
from model_import.settings import ValidateSettings
from model_import.validation import validate
from tests.support import ESCROW_URI, MODEL_PACKAGE_ARN, STACK_NAME, VALIDATE_ENV, s3_event, trigger_key
from tests.unit.test_registry import SAMPLE
from tests.unit.test_validation import ARN, _manifest, _stage, _stage_open_weights


def _upload(aws, settings, **fields):
    _stage(aws, manifest=_manifest(**fields))
    return validate(s3_event(trigger_key("my-model")), ARN, settings, aws.s3).request


def _manual(aws, settings, **fields):
    return validate({"sourceUri": ESCROW_URI, "modelName": "support-bot", **fields}, ARN, settings, aws.s3).request


# ---------------------------------------------------------------- settings


def test_settings_read_the_deployment_parameters_typed():
    env = {**VALIDATE_ENV, "DEPLOY_AFTER_IMPORT": "provisioned", "MAX_PROVISIONED_MODEL_UNITS": "2", "SMOKE_TEST_PROMPT": "Say hi."}
    settings = ValidateSettings.from_env(env)
    assert (settings.stack_name, settings.deploy_after_import, settings.max_provisioned_model_units, settings.smoke_test_prompt) == (
        STACK_NAME, "provisioned", 2, "Say hi."
    )


def test_settings_default_to_no_deployment_when_the_variables_are_absent():
    env = {k: v for k, v in VALIDATE_ENV.items() if k not in ("DEPLOY_AFTER_IMPORT", "MAX_PROVISIONED_MODEL_UNITS", "SMOKE_TEST_PROMPT")}
    settings = ValidateSettings.from_env(env)
    assert (settings.deploy_after_import, settings.max_provisioned_model_units, settings.smoke_test_prompt) == ("none", 0, "")


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("STACK_NAME", None, "environment variable STACK_NAME is not set"),
        ("DEPLOY_AFTER_IMPORT", "ondemand", "DEPLOY_AFTER_IMPORT must be one of none, on-demand, provisioned, got 'ondemand'"),
        ("MAX_PROVISIONED_MODEL_UNITS", "-1", "MAX_PROVISIONED_MODEL_UNITS must be at least 0, got -1"),
        ("MAX_PROVISIONED_MODEL_UNITS", "two", "MAX_PROVISIONED_MODEL_UNITS must be an integer, got 'two'"),
        ("SMOKE_TEST_PROMPT", "p" * 4001, "SMOKE_TEST_PROMPT must be at most 4000 characters, got 4001"),
    ],
)
def test_a_malformed_deployment_variable_fails_at_init_naming_it(name, value, words):
    env = {k: v for k, v in VALIDATE_ENV.items() if k != name}
    if value is not None:
        env[name] = value
    with pytest.raises(ConfigurationError, match=words.replace("(", r"\(").replace(")", r"\)")):
        ValidateSettings.from_env(env)


# ---------------------------------------------------------------- the request


def test_a_request_carries_deploy_and_smoke_test_and_round_trips(aws, validate_settings):
    settings = replace(validate_settings, max_provisioned_model_units=2)
    request = _upload(aws, settings, deploy={"mode": "provisioned", "modelUnits": 2, "name": "support-bot"}, smokeTest={"prompt": "Ping"})
    assert request.deploy == DeployRequest("provisioned", "support-bot", 2)
    assert request.smoke_test == SmokeTestRequest("Ping", 64)
    data = request.to_dict()
    assert data["deploy"] == {"mode": "provisioned", "name": "support-bot", "modelUnits": 2}
    assert data["smokeTest"] == {"prompt": "Ping", "maxTokens": 64}
    assert ImportRequest.from_dict(data) == request


def test_a_request_dict_from_before_deployments_reads_as_none(aws, validate_settings):
    data = _upload(aws, validate_settings).to_dict()
    assert (data["deploy"], data["smokeTest"]) == (None, None)
    old = {k: v for k, v in data.items() if k not in ("deploy", "smokeTest")}
    request = ImportRequest.from_dict(old)
    assert (request.deploy, request.smoke_test) == (None, None)


def test_every_request_carries_the_stack_provenance_tag(aws, validate_settings):
    assert _upload(aws, validate_settings).tags["model-import:stack"] == STACK_NAME
    assert _manual(aws, validate_settings).tags["model-import:stack"] == STACK_NAME


def test_the_stack_provenance_tag_cannot_be_set_by_a_request(aws, validate_settings):
    with pytest.raises(ImportRejected, match="'model-import:' is reserved for provenance tags"):
        _manual(aws, validate_settings, tags={"model-import:stack": "another-stack"})


def test_the_manual_input_accepts_deploy_and_smoke_test(aws, validate_settings):
    request = _manual(aws, validate_settings, deploy={"mode": "on-demand", "name": "stable"}, smokeTest={"prompt": "Hi", "maxTokens": 5})
    assert (request.deploy, request.smoke_test) == (DeployRequest("on-demand", "stable", None), SmokeTestRequest("Hi", 5))


def test_the_stack_defaults_apply_to_an_upload_that_names_nothing(aws, validate_settings):
    settings = replace(validate_settings, deploy_after_import="on-demand", smoke_test_prompt="Say hi.")
    request = _upload(aws, settings)
    assert (request.deploy, request.smoke_test) == (DeployRequest("on-demand", "my-model", None), SmokeTestRequest("Say hi.", 64))


def test_a_registry_approval_uses_the_stack_defaults(aws, validate_settings):
    settings = replace(
        validate_settings, model_package_group_names=("nova-sft-approved",), deploy_after_import="on-demand", smoke_test_prompt="Say hi."
    )
    request = validate(SAMPLE, ARN, settings, aws.s3).request
    assert request.deploy == DeployRequest("on-demand", request.model_name, None)
    assert request.smoke_test == SmokeTestRequest("Say hi.", 64)
    assert request.tags["model-import:stack"] == STACK_NAME


def test_a_registry_approval_under_a_provisioned_default_without_a_limit_is_rejected(aws, validate_settings):
    settings = replace(validate_settings, model_package_group_names=("nova-sft-approved",), deploy_after_import="provisioned")
    with pytest.raises(ImportRejected, match="DeployAfterImport \\(provisioned\\) asks for Provisioned Throughput"):
        validate(SAMPLE, ARN, settings, aws.s3)


def test_an_open_weight_upload_gets_no_deployment_but_its_smoke_test(aws, validate_settings):
    settings = replace(validate_settings, deploy_after_import="provisioned", max_provisioned_model_units=1)
    _stage_open_weights(aws, manifest=b'{"deploy": {"mode": "on-demand"}, "smokeTest": {"prompt": "Ping"}}')
    request = validate(s3_event(trigger_key("my-model")), ARN, settings, aws.s3).request
    assert request.kind == "open-weights"
    assert (request.deploy, request.smoke_test) == (None, SmokeTestRequest("Ping", 64))


def test_a_trigger_files_rejection_names_the_file(aws, validate_settings):
    with pytest.raises(ImportRejected) as caught:
        _upload(aws, validate_settings, deploy={"mode": "provisioned"})
    assert str(caught.value).startswith("s3://model-import-sandbox/incoming/my-model/manifest.json: \"deploy\" \"mode\" 'provisioned'")
    assert "raise MaxProvisionedModelUnits or ask for on-demand" in str(caught.value)


def test_deploy_and_smoke_test_are_no_longer_ignored_fields(aws, validate_settings):
    _stage(aws, manifest=_manifest(deploy={"mode": "on-demand"}, smokeTest=False, note="x"))
    assert validate(s3_event(trigger_key("my-model")), ARN, validate_settings, aws.s3).ignored_fields == ("note",)


def test_a_model_package_input_resolves_them_too(aws, validate_settings):
    event = {"modelPackageArn": MODEL_PACKAGE_ARN, "modelName": "pkg", "smokeTest": {"prompt": "Ping"}}
    with pytest.raises(ImportRejected, match="a sagemaker-model-package model is invocable only through a deployment"):
        validate(event, ARN, validate_settings, aws.s3)
