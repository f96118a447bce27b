"""The emulated Bedrock custom-model API, through boto3, as a handler sees it. Its answers must
have the service's shapes and errors, so that a handler passing here does not fail on AWS for a
reason of API shape."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sandbox import BedrockBehaviour, Fault, Faults

pytestmark = pytest.mark.workflow

ROLE = "arn:aws:iam::123456789012:role/import-role"
SOURCE = "s3://customer-escrow-123456789012-smtj-abc123/job/step_100/"


def _bedrock() -> Any:
    return boto3.client("bedrock", region_name="us-east-1")


def _stage_checkpoint(uri: str = SOURCE) -> None:
    """A checkpoint file at the escrow URI: Bedrock fails an import whose source holds nothing."""
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=f"{prefix}model.safetensors", Body=b"weights")


@pytest.fixture
def staged(sandbox_factory) -> Any:
    """make(**options): a sandbox with a checkpoint staged at SOURCE, and a Bedrock client."""

    def make(**options: Any) -> Any:
        sandbox_factory(**options)
        _stage_checkpoint()
        return _bedrock()

    return make


def _create(bedrock: Any, name: str = "my-model", **extra: Any) -> dict[str, Any]:
    args = {"modelName": name, "modelSourceConfig": {"s3DataSource": {"s3Uri": SOURCE}}, "roleArn": ROLE, **extra}
    return bedrock.create_custom_model(**args)


def _error(call: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def bedrock(staged) -> Any:
    return staged(bedrock=BedrockBehaviour(outcome="active", polls=3))


def test_create_answers_202_with_an_imported_model_arn_of_the_service_shape(bedrock) -> None:
    response = _create(bedrock)
    model_arn_shape = bedrock.meta.service_model.shape_for("ModelArn").metadata["pattern"]

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert re.fullmatch(model_arn_shape, response["modelArn"])
    assert re.fullmatch(r"arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/[a-z0-9]{12}", response["modelArn"])


def test_status_goes_from_creating_to_active_on_the_configured_poll(bedrock) -> None:
    arn = _create(bedrock)["modelArn"]
    statuses = [bedrock.get_custom_model(modelIdentifier=arn)["modelStatus"] for _ in range(4)]
    model = bedrock.get_custom_model(modelIdentifier="my-model")

    assert statuses == ["Creating", "Creating", "Active", "Active"]
    assert model["modelArn"] == arn and model["modelName"] == "my-model"
    assert model["customizationType"] == "IMPORTED"
    assert "failureMessage" not in model
    assert model["creationTime"].tzinfo is not None


def test_failed_model_reports_its_failure_message(staged) -> None:
    bedrock = staged(bedrock=BedrockBehaviour(outcome="failed", polls=1, failure_message="bad checkpoint"))
    arn = _create(bedrock)["modelArn"]
    model = bedrock.get_custom_model(modelIdentifier=arn)

    assert model["modelStatus"] == "Failed"
    assert model["failureMessage"] == "bad checkpoint"


def test_per_model_behaviour_overrides_the_default(staged) -> None:
    bedrock = staged(bedrock=BedrockBehaviour(polls=1, per_model={"slow": BedrockBehaviour(outcome="stuck")}))
    _create(bedrock, "fast")
    _create(bedrock, "slow")

    assert bedrock.get_custom_model(modelIdentifier="fast")["modelStatus"] == "Active"
    assert [bedrock.get_custom_model(modelIdentifier="slow")["modelStatus"] for _ in range(5)] == ["Creating"] * 5


@pytest.mark.parametrize(
    ("field", "overrides", "fragment"),
    [
        ("modelName", {"modelName": "bad--name"}, "at 'modelName' failed to satisfy constraint: Member must satisfy regular expression pattern"),
        ("modelName", {"modelName": "-leading"}, "at 'modelName'"),
        ("modelName", {"modelName": "x" * 64}, "Member must have length less than or equal to 63"),
        ("s3Uri", {"modelSourceConfig": {"s3DataSource": {"s3Uri": "s3://Upper/x/"}}}, "at 'modelSourceConfig.s3DataSource.s3Uri'"),
        ("s3Uri", {"modelSourceConfig": {"s3DataSource": {"s3Uri": "s3://bucket/has space/"}}}, "at 'modelSourceConfig.s3DataSource.s3Uri'"),
        ("roleArn", {"roleArn": "arn:aws:iam::123:role/x"}, "at 'roleArn'"),
        ("modelKmsKeyArn", {"modelKmsKeyArn": "alias/my-key"}, "at 'modelKmsKeyArn'"),
        ("tag key", {"modelTags": [{"key": "a;b", "value": "v"}]}, "at 'modelTags.1.member.key'"),
        ("tag value", {"modelTags": [{"key": "k", "value": "x" * 257}]}, "Member must have length less than or equal to 256"),
        ("token", {"clientRequestToken": "-starts-with-dash"}, "at 'clientRequestToken'"),
        ("token", {"clientRequestToken": "a" * 257}, "Member must have length less than or equal to 256"),
    ],
)
def test_request_breaking_a_service_constraint_is_a_validation_exception(bedrock, field: str, overrides: dict, fragment: str) -> None:
    args = {"modelName": "my-model", "modelSourceConfig": {"s3DataSource": {"s3Uri": SOURCE}}, "roleArn": ROLE, **overrides}
    code, message, status = _error(lambda: bedrock.create_custom_model(**args))

    assert (code, status) == ("ValidationException", 400)
    assert re.match(r"\d validation errors? detected: ", message)  # a length bound can break the pattern too
    assert fragment in message
    assert bedrock.list_custom_models()["modelSummaries"] == []


def test_every_violation_is_listed_in_one_validation_exception(bedrock) -> None:
    code, message, _ = _error(lambda: _create(bedrock, "bad__name", roleArn="not-an-arn"))

    assert code == "ValidationException"
    assert message.startswith("2 validation errors detected: ")
    assert "'modelName'" in message and "'roleArn'" in message


def test_more_than_50_tags_is_a_validation_exception(bedrock) -> None:
    tags = [{"key": f"k{i}", "value": "v"} for i in range(51)]
    code, message, _ = _error(lambda: _create(bedrock, modelTags=tags))

    assert code == "ValidationException"
    assert "at most 50 tags" in message
    assert _create(bedrock, modelTags=tags[:50])["modelArn"]


def test_s3_source_without_role_is_a_validation_exception(bedrock) -> None:
    code, _, _ = _error(lambda: bedrock.create_custom_model(modelName="m", modelSourceConfig={"s3DataSource": {"s3Uri": SOURCE}}))
    assert code == "ValidationException"


def test_name_taken_is_a_conflict_unless_the_token_repeats(bedrock) -> None:
    first = _create(bedrock, clientRequestToken="token-1")["modelArn"]
    again = _create(bedrock, clientRequestToken="token-1")["modelArn"]
    code, message, status = _error(lambda: _create(bedrock, clientRequestToken="token-2"))

    assert again == first  # a repeated token returns the first result, without error
    assert (code, status) == ("ConflictException", 400)
    assert "my-model" in message
    assert len(bedrock.list_custom_models()["modelSummaries"]) == 1


def test_repeated_token_returns_the_first_model_even_under_another_name(bedrock) -> None:
    first = _create(bedrock, "one", clientRequestToken="same")["modelArn"]
    assert _create(bedrock, "two", clientRequestToken="same")["modelArn"] == first
    assert [m["modelName"] for m in bedrock.list_custom_models()["modelSummaries"]] == ["one"]


def test_unknown_model_is_resource_not_found_and_a_bad_identifier_is_invalid(bedrock) -> None:
    assert _error(lambda: bedrock.get_custom_model(modelIdentifier="nope"))[::2] == ("ResourceNotFoundException", 404)
    missing = "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abcdefghijkl"
    assert _error(lambda: bedrock.get_custom_model(modelIdentifier=missing))[0] == "ResourceNotFoundException"
    assert _error(lambda: bedrock.get_custom_model(modelIdentifier="a b"))[0] == "ValidationException"


def test_list_filters_sorts_and_pages(bedrock) -> None:
    for name in ("alpha-1", "alpha-2", "beta-1"):
        _create(bedrock, name)
    for _ in range(3):
        bedrock.get_custom_model(modelIdentifier="alpha-1")  # Active after 3 polls
    names = lambda **kw: [m["modelName"] for m in bedrock.list_custom_models(**kw)["modelSummaries"]]

    assert names() == ["beta-1", "alpha-2", "alpha-1"]  # newest first by default
    assert names(sortOrder="Ascending") == ["alpha-1", "alpha-2", "beta-1"]
    assert names(nameContains="alpha", sortOrder="Ascending") == ["alpha-1", "alpha-2"]
    assert names(modelStatus="Active") == ["alpha-1"]
    pages = list(bedrock.get_paginator("list_custom_models").paginate(sortOrder="Ascending", PaginationConfig={"PageSize": 2}))
    assert [[m["modelName"] for m in p["modelSummaries"]] for p in pages] == [["alpha-1", "alpha-2"], ["beta-1"]]
    summary = bedrock.list_custom_models(nameContains="beta")["modelSummaries"][0]
    assert summary["customizationType"] == "IMPORTED" and summary["ownerAccountId"] == "123456789012"
    assert summary["modelStatus"] == "Creating"


def test_delete_removes_the_model_and_frees_its_name(bedrock) -> None:
    arn = _create(bedrock)["modelArn"]
    bedrock.delete_custom_model(modelIdentifier=arn)

    assert _error(lambda: bedrock.get_custom_model(modelIdentifier="my-model"))[0] == "ResourceNotFoundException"
    assert _error(lambda: bedrock.delete_custom_model(modelIdentifier="my-model"))[0] == "ResourceNotFoundException"
    assert _create(bedrock)["modelArn"] != arn


def test_throttling_fault_reaches_the_client_as_a_429_throttling_exception(sandbox_factory) -> None:
    sandbox_factory(faults=Faults([Fault("bedrock", "ListCustomModels", "ThrottlingException", status=429, count=1)]))
    bedrock = boto3.client("bedrock", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))

    code, _, status = _error(lambda: bedrock.list_custom_models())
    assert (code, status) == ("ThrottlingException", 429)
    assert bedrock.list_custom_models()["modelSummaries"] == []
