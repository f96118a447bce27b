"""sandbox.service_model: any Bedrock operation's request checked against botocore's service model,
with the service's ValidationException wording; and the tag rules of sandbox.bedrock_contract,
which apply to every TagList member of any operation."""

from __future__ import annotations

import pytest

from sandbox import bedrock_contract as contract
from sandbox.service_model import input_shape, request_params, validation_message, violations

SOURCE = {"s3DataSource": {"s3Uri": "s3://customer-escrow-123456789012-smtj-a/job/"}}


def test_a_valid_request_has_no_violations() -> None:
    assert violations("CreateCustomModel", {"modelName": "my-model", "modelSourceConfig": SOURCE}) == []


def test_the_message_has_the_services_wording_and_counts_every_violation() -> None:
    problems = violations("CreateCustomModel", {"modelName": "bad--name", "roleArn": "not-an-arn", "modelSourceConfig": SOURCE})

    assert validation_message(problems) == (
        "2 validation errors detected: "
        "Value 'bad--name' at 'modelName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "([0-9a-zA-Z][_-]?){1,63}; "
        "Value 'not-an-arn' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+"
    )
    assert validation_message(problems[:1]).startswith("1 validation error detected: ")


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("CreateCustomModel", {}, "Value null at 'modelName' failed to satisfy constraint: Member must not be null"),
        ("CreateCustomModel", {"modelName": "x" * 64}, "at 'modelName' failed to satisfy constraint: Member must have length less than or equal to 63"),
        ("CreateCustomModel", {"modelName": ""}, "Member must have length greater than or equal to 1"),
        ("CreateCustomModel", {"modelName": 7}, "Value '7' at 'modelName' failed to satisfy constraint: Member must be a string"),
        # nested required member, 1-based list paths
        ("CreateCustomModel", {"modelName": "m", "modelTags": [{"key": "k"}]}, "Value null at 'modelTags.1.member.value'"),
        ("CreateCustomModel", {"modelName": "m", "modelSourceConfig": {"s3DataSource": {}}}, "at 'modelSourceConfig.s3DataSource.s3Uri'"),
        # list maximum from the model (200), Java's \s (no NBSP) in a tag
        ("CreateCustomModel", {"modelName": "m", "modelTags": [{"key": f"k{i}", "value": ""} for i in range(201)]}, "Member must have length less than or equal to 200"),
        ("CreateCustomModel", {"modelName": "m", "modelTags": [{"key": "a\u00a0b", "value": ""}]}, "at 'modelTags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern"),
        # a union: exactly one member set
        ("CreateCustomModel", {"modelName": "m", "modelSourceConfig": {}}, "at 'modelSourceConfig' failed to satisfy constraint: Member must have exactly one of the following members set: [s3DataSource]"),
        ("ListCustomModels", {"maxResults": 0}, "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"),
        ("ListCustomModels", {"modelStatus": "Ready"}, "Member must satisfy enum value set: [Active, Creating, Failed]"),
        ("ListCustomModels", {"maxResults": True}, "Member must be an integer"),
        ("ListCustomModels", {"creationTimeAfter": "yesterday"}, "Member must be a timestamp"),
        # operations the emulator does not serve yet get the same checks for free
        ("CreateModelImportJob", {"jobName": "j", "importedModelName": "m", "roleArn": "arn:aws:iam::123456789012:role/r"}, "Value null at 'modelDataSource'"),
        ("CreateProvisionedModelThroughput", {"modelUnits": 0, "provisionedModelName": "p", "modelId": "m"}, "at 'modelUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"),
        ("CreateProvisionedModelThroughput", {"modelUnits": 1, "provisionedModelName": "p", "modelId": "m", "commitmentDuration": "OneYear"}, "Member must satisfy enum value set: [OneMonth, SixMonths]"),
    ],
)  # fmt: skip
def test_each_kind_of_constraint_is_checked(operation: str, params: dict, expected: str) -> None:
    assert any(expected in problem for problem in violations(operation, params)), violations(operation, params)


def test_length_counts_utf16_code_units_like_java() -> None:
    # 129 characters outside the BMP are 258 UTF-16 units: over the 256 maximum of a tag value
    assert any("less than or equal to 256" in p for p in violations("CreateCustomModel", {"modelName": "m", "modelTags": [{"key": "k", "value": "\U0001f600" * 129}]}))
    assert not any("less than or equal to 256" in p for p in violations("CreateCustomModel", {"modelName": "m", "modelTags": [{"key": "k", "value": "\U0001f600" * 128}]}))


def test_request_params_read_each_member_where_its_serialization_puts_it() -> None:
    assert request_params("GetCustomModel", uri={"modelIdentifier": "arn%3Aaws%3Ax"}) == {"modelIdentifier": "arn:aws:x"}
    assert request_params("ListCustomModels", query={"maxResults": ["5"], "sortOrder": ["Ascending"], "other": ["x"]}) == {
        "maxResults": 5,
        "sortOrder": "Ascending",
    }
    assert request_params("ListCustomModels", query={"maxResults": ["five"]}) == {"maxResults": "five"}  # left for validation to name
    assert request_params("CreateCustomModel", body=b'{"modelName": "m", "unknown": 1}') == {"modelName": "m"}


@pytest.mark.parametrize(
    ("operation", "member"),
    [("CreateCustomModel", "modelTags"), ("CreateModelImportJob", "importedModelTags"), ("CreateModelImportJob", "jobTags"), ("TagResource", "tags")],
)
def test_tag_rules_apply_to_every_tag_list_member(operation: str, member: str) -> None:
    shape = input_shape(operation)
    broken = contract.tag_problems(shape, {member: [{"key": "Aws:x", "value": "v"}, {"key": "k", "value": "v"}, {"key": "k", "value": "w"}]})
    many = contract.tag_problems(shape, {member: [{"key": f"k{i}", "value": "v"} for i in range(51)]})

    assert [b.rule.id for b in broken] == ["reserved-tag-prefix", "unique-tag-keys"]
    assert [b.rule.id for b in many] == ["tag-count"]
    assert contract.tag_problems(shape, {member: [{"key": f"k{i}", "value": "v"} for i in range(50)]}) == []


def test_uri_labels_are_read_from_the_operations_request_uri_when_moto_gives_none() -> None:
    from sandbox.bedrock import _uri_labels

    assert _uri_labels("GetCustomModel", "/custom-models/arn%3Aaws%3Abedrock%3Ax") == {"modelIdentifier": "arn%3Aaws%3Abedrock%3Ax"}
    assert _uri_labels("DeleteCustomModel", "/custom-models/my-model?x=1") == {"modelIdentifier": "my-model"}
    assert _uri_labels("GetCustomModel", "/elsewhere/my-model") == {}
