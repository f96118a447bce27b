"""Every resolution rule and refusal of "deploy" and "smokeTest" (model_import/deploy_options.py)."""

import math

import pytest

from model_import.deploy_options import COST_GUARD, resolve_deploy, resolve_smoke_test
from model_import.errors import ImportRejected
from model_import.kinds import KIND_CHECKPOINT, KIND_MODEL_PACKAGE, KIND_OPEN_WEIGHTS
from model_import.request import DeployRequest, SmokeTestRequest

ORIGIN = "the manual input"


def deploy(options, kind=KIND_CHECKPOINT, default="none", limit=0, name="support-bot"):
    return resolve_deploy(options, kind, name, default, limit, ORIGIN)


def rejected(call, *args, **kwargs) -> str:
    with pytest.raises(ImportRejected) as caught:
        call(*args, **kwargs)
    reason = str(caught.value)
    assert reason.startswith(ORIGIN + ": ") and len(reason) < 2000
    return reason


# ---------------------------------------------------------------- deploy: defaults


def test_no_deploy_member_takes_the_stacks_default():
    assert deploy({}) is None
    assert deploy({}, default="on-demand") == DeployRequest("on-demand", "support-bot", None)
    assert deploy({}, default="provisioned", limit=2) == DeployRequest("provisioned", "support-bot", 1)


def test_a_missing_mode_is_the_stacks_default_and_the_name_defaults_to_the_model_name():
    assert deploy({"deploy": {"name": "stable-name"}}, default="on-demand") == DeployRequest("on-demand", "stable-name", None)
    assert deploy({"deploy": {}}, default="on-demand") == DeployRequest("on-demand", "support-bot", None)


def test_an_explicit_mode_overrides_the_default_either_way():
    assert deploy({"deploy": {"mode": "none"}}, default="on-demand") is None
    assert deploy({"deploy": {"mode": "on-demand"}}) == DeployRequest("on-demand", "support-bot", None)
    assert deploy({"deploy": {"mode": "provisioned", "modelUnits": 3}}, limit=3) == DeployRequest("provisioned", "support-bot", 3)


# ---------------------------------------------------------------- deploy: refusals


@pytest.mark.parametrize("value, shown", [(None, "null"), ("on-demand", "a JSON string"), ([], "a JSON array"), (True, "a JSON boolean"), (1, "a JSON number")])
def test_deploy_must_be_an_object(value, shown):
    reason = rejected(deploy, {"deploy": value}, default="on-demand")
    assert f'"deploy" must be an object such as {{"mode": "on-demand"}} (members mode, modelUnits, name), got {shown}' in reason
    assert "leave it out to use the stack's DeployAfterImport (on-demand)" in reason


def test_unknown_deploy_members_are_named():
    reason = rejected(deploy, {"deploy": {"mode": "on-demand", "commitmentDuration": "OneMonth", "units": 2}})
    assert reason == (
        f"{ORIGIN}: \"deploy\" has unknown member(s) 'commitmentDuration', 'units'; it takes only mode, modelUnits, name: remove the others"
    )


@pytest.mark.parametrize("mode, shown", [("On-Demand", "'On-Demand'"), ("", "''"), (None, "null"), (1, "1"), (False, "false")])
def test_an_unknown_mode_lists_the_allowed_ones(mode, shown):
    reason = rejected(deploy, {"deploy": {"mode": mode}})
    assert reason == f"{ORIGIN}: \"deploy\" \"mode\" must be one of 'none', 'on-demand', 'provisioned', got {shown}"


@pytest.mark.parametrize("extra", [{"name": "x"}, {"modelUnits": 1}])
def test_mode_none_with_a_name_or_units_is_refused(extra):
    explicit = rejected(deploy, {"deploy": {"mode": "none", **extra}})
    assert "but \"deploy\" \"mode\" 'none' creates no deployment" in explicit and 'set "mode" to "on-demand" or "provisioned"' in explicit
    implicit = rejected(deploy, {"deploy": extra})  # the stack's default is none
    assert "but the stack's DeployAfterImport (none) creates no deployment" in implicit


def test_provisioned_is_refused_while_the_limit_is_zero():
    reason = rejected(deploy, {"deploy": {"mode": "provisioned"}})
    assert reason == f"{ORIGIN}: \"deploy\" \"mode\" 'provisioned' asks for Provisioned Throughput. {COST_GUARD}"
    assert "raise MaxProvisionedModelUnits or ask for on-demand" in reason


def test_a_provisioned_stack_default_with_the_limit_zero_is_refused_too():
    reason = rejected(deploy, {}, default="provisioned")
    assert "the stack's DeployAfterImport (provisioned) asks for Provisioned Throughput" in reason and COST_GUARD in reason


def test_more_units_than_the_limit_are_refused():
    reason = rejected(deploy, {"deploy": {"mode": "provisioned", "modelUnits": 3}}, limit=2)
    assert '"modelUnits" is 3, but this stack allows at most 2 (MaxProvisionedModelUnits' in reason
    assert reason.endswith("ask for fewer, or raise MaxProvisionedModelUnits")


@pytest.mark.parametrize(
    "units, shown",
    [
        (True, "true"),
        (0, "0"),
        (-1, "-1"),
        (1.5, "1.5"),
        (2.0, "2.0"),
        (math.nan, "a non-finite number"),
        (math.inf, "a non-finite number"),
        ("2", "'2'"),
        (None, "null"),
        ([1], "a JSON array"),
        (-(10**30), "an integer of 100 bits"),
    ],
)
def test_model_units_must_be_a_whole_number_in_range(units, shown):
    reason = rejected(deploy, {"deploy": {"mode": "provisioned", "modelUnits": units}}, limit=4)
    assert reason == f'{ORIGIN}: "deploy" "modelUnits" must be a whole number 1 to 4 (MaxProvisionedModelUnits), got {shown}'


def test_a_huge_model_unit_count_is_refused_by_the_limit_without_printing_it():
    reason = rejected(deploy, {"deploy": {"mode": "provisioned", "modelUnits": 10**5000}}, limit=4)
    assert '"modelUnits" is an integer of 16610 bits, but this stack allows at most 4' in reason and len(reason) < 300


def test_wrong_model_units_are_named_before_the_cost_guard():
    reason = rejected(deploy, {"deploy": {"mode": "provisioned", "modelUnits": 0}})
    assert reason == f'{ORIGIN}: "deploy" "modelUnits" must be a whole number at least 1, got 0'


def test_model_units_with_on_demand_are_refused():
    reason = rejected(deploy, {"deploy": {"mode": "on-demand", "modelUnits": 1}}, limit=2)
    assert '"modelUnits" applies only to "mode": "provisioned"' in reason and "remove modelUnits" in reason


@pytest.mark.parametrize(
    "name, shown",
    [
        ("has space", "'has space'"),
        ("-leading", "'-leading'"),
        ("trailing-", "'trailing-'"),
        ("double--dash", "'double--dash'"),
        ("x" * 64, repr("x" * 57 + "...")),
        ("", "''"),
        ("naïve", "'naïve'"),
        (5, "5"),
        (None, "null"),
    ],
)
def test_a_name_breaking_bedrocks_deployment_name_rule_is_refused(name, shown):
    reason = rejected(deploy, {"deploy": {"mode": "on-demand", "name": name}})
    assert reason.startswith(f'{ORIGIN}: "deploy" "name" must be a deployment name of 1-63 characters: letters, digits, and single')
    assert f"got {shown}" in reason
    if isinstance(name, str) and name:
        assert "; e.g. '" in reason


# ---------------------------------------------------------------- deploy: open weights


@pytest.mark.parametrize("options", [{}, {"deploy": {}}, {"deploy": {"mode": "on-demand"}}, {"deploy": {"mode": "none"}}])
@pytest.mark.parametrize("default", ["none", "on-demand", "provisioned"])
def test_open_weights_get_no_deployment_by_default_or_on_demand(options, default):
    assert deploy(options, kind=KIND_OPEN_WEIGHTS, default=default, limit=0) is None


@pytest.mark.parametrize(
    "raw, asked",
    [
        ({"mode": "provisioned", "modelUnits": 1}, '"mode" "provisioned"'),
        ({"mode": "provisioned"}, '"mode" "provisioned"'),
        ({"name": "stable"}, "'name'"),
        ({"mode": "on-demand", "modelUnits": 1}, "'modelUnits'"),
    ],
)
def test_open_weights_refuse_an_explicit_deployment(raw, asked):
    reason = rejected(deploy, {"deploy": raw}, kind=KIND_OPEN_WEIGHTS, limit=5)
    assert reason == (
        f'{ORIGIN}: "deploy" has {asked}, but an imported open-weight model (CreateModelImportJob) is invoked on demand by its '
        'own model ARN and takes no deployment or Provisioned Throughput; remove "deploy" (a "smokeTest" still runs against the model ARN)'
    )


# ---------------------------------------------------------------- smokeTest

ON_DEMAND = DeployRequest("on-demand", "support-bot", None)


def smoke(options, kind=KIND_CHECKPOINT, deployed=ON_DEMAND, default=""):
    return resolve_smoke_test(options, kind, deployed, default, ORIGIN)


def test_no_smoke_test_unless_asked_or_defaulted():
    assert smoke({}) is None
    assert smoke({}, default="Say hi.") == SmokeTestRequest("Say hi.", 64)
    assert smoke({}, kind=KIND_OPEN_WEIGHTS, deployed=None, default="Say hi.") == SmokeTestRequest("Say hi.", 64)


@pytest.mark.parametrize("kind", [KIND_CHECKPOINT, KIND_MODEL_PACKAGE])
def test_the_stack_default_prompt_is_not_applied_to_a_custom_model_without_a_deployment(kind):
    assert smoke({}, kind=kind, deployed=None, default="Say hi.") is None


def test_false_turns_the_stack_default_off():
    assert smoke({"smokeTest": False}, default="Say hi.") is None
    assert smoke({"smokeTest": False}, deployed=None) is None  # nothing to call, nothing asked


def test_an_explicit_smoke_test_with_its_defaults():
    assert smoke({"smokeTest": {"prompt": "Ping"}}) == SmokeTestRequest("Ping", 64)
    assert smoke({"smokeTest": {"prompt": "Ping", "maxTokens": 4096}}) == SmokeTestRequest("Ping", 4096)
    assert smoke({"smokeTest": {"maxTokens": 8}}, default="Say hi.") == SmokeTestRequest("Say hi.", 8)
    assert smoke({"smokeTest": {"prompt": "p" * 4000}}).prompt == "p" * 4000
    assert smoke({"smokeTest": {}}, kind=KIND_OPEN_WEIGHTS, deployed=None, default="Hi") == SmokeTestRequest("Hi", 64)


@pytest.mark.parametrize("value, shown", [(True, "true"), (None, "null"), ("Say hi.", "a JSON string"), ([], "a JSON array"), (0, "a JSON number")])
def test_smoke_test_must_be_an_object_or_false(value, shown):
    reason = rejected(smoke, {"smokeTest": value})
    assert reason == (
        f'{ORIGIN}: "smokeTest" must be an object such as {{"prompt": "Say hello.", "maxTokens": 64}}, or false to skip '
        f"the stack's SmokeTestPrompt; got {shown}"
    )


def test_unknown_smoke_test_members_are_named():
    reason = rejected(smoke, {"smokeTest": {"prompt": "p", "temperature": 0.5}})
    assert "\"smokeTest\" has unknown member(s) 'temperature'; it takes only prompt, maxTokens" in reason


def test_no_prompt_and_no_stack_default_is_refused():
    reason = rejected(smoke, {"smokeTest": {"maxTokens": 8}})
    assert "has no \"prompt\" and the stack's SmokeTestPrompt is empty; add \"prompt\"" in reason


@pytest.mark.parametrize("prompt, shown", [("", "''"), ("   ", "'   '"), (None, "null"), (5, "5"), ({"text": "hi"}, "a JSON object")])
def test_a_prompt_must_be_a_non_empty_string(prompt, shown):
    reason = rejected(smoke, {"smokeTest": {"prompt": prompt}})
    assert reason == f'{ORIGIN}: "smokeTest" "prompt" must be a non-empty string of at most 4000 characters, got {shown}'


def test_a_prompt_of_4001_characters_is_refused_without_quoting_it_all():
    reason = rejected(smoke, {"smokeTest": {"prompt": "p" * 4001}})
    assert reason.startswith(f'{ORIGIN}: "smokeTest" "prompt" is 4001 characters; at most 4000 are allowed')
    assert len(reason) < 300


@pytest.mark.parametrize(
    "max_tokens, shown",
    [(0, "0"), (-5, "-5"), (4097, "4097"), (True, "true"), (64.0, "64.0"), (math.nan, "a non-finite number"), ("64", "'64'"), (10**400, "an integer of 1329 bits")],
    ids=str,
)
def test_max_tokens_must_be_a_whole_number_from_1_to_4096(max_tokens, shown):
    reason = rejected(smoke, {"smokeTest": {"prompt": "p", "maxTokens": max_tokens}})
    assert reason == f'{ORIGIN}: "smokeTest" "maxTokens" must be a whole number from 1 to 4096, got {shown} (leave it out for 64)'


@pytest.mark.parametrize("kind", [KIND_CHECKPOINT, KIND_MODEL_PACKAGE])
def test_an_explicit_smoke_test_on_a_custom_model_without_a_deployment_is_refused(kind):
    reason = rejected(smoke, {"smokeTest": {"prompt": "Ping"}}, kind=kind, deployed=None)
    assert reason == (
        f'{ORIGIN}: "smokeTest" needs something to call, but a {kind} model is invocable only through a deployment and none '
        'is requested; add "deploy": {"mode": "on-demand"} (or "provisioned"), or remove "smokeTest"'
    )


def test_an_open_weight_model_is_smoke_tested_by_its_arn_without_a_deployment():
    assert smoke({"smokeTest": {"prompt": "Ping"}}, kind=KIND_OPEN_WEIGHTS, deployed=None) == SmokeTestRequest("Ping", 64)
