"""SageMaker Model Registry approvals: the event parsed, the model name derived within Bedrock's
rules, only approved packages of the stack's groups imported, one token per package."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from model_import import bedrock_rules as rules
from model_import.errors import ImportRejected
from model_import.inputs import parse_input
from model_import.registry import model_name
from model_import.request import request_token
from model_import.validation import validate

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "events" / "sagemaker-model-package-approved.json").read_text())
PACKAGE = SAMPLE["detail"]["ModelPackageArn"]


def _event(**detail):
    return {**SAMPLE, "detail": {**SAMPLE["detail"], **detail}}


@pytest.mark.parametrize(
    ("group", "version", "name"),
    [
        ("nova-sft-approved", 1, "nova-sft-approved-v1"),
        ("team--b", 12, "team-b-v12"),  # SageMaker allows runs of '-', Bedrock does not
        ("g" * 63, 1234, "g" * 57 + "-v1234"),  # cut so that the version always fits
        ("a" + "-" * 10 + "b" * 52, 7, "a-" + "b" * 52 + "-v7"),
    ],
)
def test_the_model_name_is_the_group_and_version_within_bedrocks_rules(group, version, name):
    assert model_name(group, version) == name
    assert rules.is_valid_model_name(name)


def test_the_sample_approval_parses_into_the_package_and_its_name():
    parsed = parse_input(SAMPLE)
    assert (parsed.kind, parsed.model_package_arn, parsed.model_name, parsed.package_group) == (
        "model-registry", PACKAGE, "nova-sft-approved-v1", "nova-sft-approved"
    )


@pytest.mark.parametrize(
    ("detail", "words"),
    [
        ({"ModelPackageArn": None}, "detail.ModelPackageArn must be a non-empty string"),
        ({"ModelPackageGroupName": "bad_group"}, "detail.ModelPackageGroupName must be a SageMaker model package group name"),
        ({"ModelPackageVersion": "1"}, "detail.ModelPackageVersion must be a positive whole number"),
        ({"ModelPackageVersion": 0}, "detail.ModelPackageVersion must be a positive whole number"),
    ],
)
def test_a_malformed_approval_is_rejected(detail, words):
    with pytest.raises(ImportRejected, match="SageMaker Model Package State Change event is malformed: " + words):
        parse_input(_event(**detail))


def test_the_same_package_approved_twice_has_one_token_whatever_the_execution():
    assert request_token(None, "arn:exec:1", PACKAGE) == request_token(None, "arn:exec:2", PACKAGE)
    assert request_token(None, "arn:exec:1", PACKAGE) != request_token(None, "arn:exec:1", PACKAGE[:-1] + "2")


def test_an_approval_of_a_listed_group_imports_the_package(aws, validate_settings):
    settings = replace(validate_settings, model_package_group_names=("nova-sft-approved",))
    request = validate(SAMPLE, "arn:aws:states:us-east-1:123456789012:execution:sm:run-1", settings, aws.s3).request
    assert (request.kind, request.model_package_arn, request.model_name, request.trigger) == (
        "sagemaker-model-package", PACKAGE, "nova-sft-approved-v1", None
    )
    assert request.client_request_token == request_token(None, "unused", PACKAGE)


@pytest.mark.parametrize(
    ("groups", "detail", "words"),
    [
        ((), {}, "the model package group 'nova-sft-approved' is not one of the stack's ModelPackageGroupNames (none)"),
        (("other",), {}, "is not one of the stack's ModelPackageGroupNames (other); add it to that parameter"),
        (("nova-sft-approved",), {"ModelApprovalStatus": "Rejected"}, "ModelApprovalStatus is 'Rejected'; only Approved model packages are imported"),
    ],
)
def test_an_approval_the_stack_does_not_import_is_rejected(aws, validate_settings, groups, detail, words):
    settings = replace(validate_settings, model_package_group_names=groups)
    with pytest.raises(ImportRejected) as caught:
        validate(_event(**detail), "arn:aws:states:us-east-1:123456789012:execution:sm:run-1", settings, aws.s3)
    assert str(caught.value).startswith(f"the Model Registry approval of {PACKAGE}: ")
    assert words in str(caught.value)


def test_the_input_parser_knows_the_registrys_source():
    from model_import import inputs, registry

    assert inputs._REGISTRY_SOURCE == registry.SOURCE
