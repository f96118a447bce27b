"""Each rule of the emulated Bedrock (sandbox.bedrock.EMULATOR_RULES), through boto3 in a sandbox:
the exact error a caller gets, and that no model is left behind. The case ids start with the
rule's stable id, so a later test can pair each with the workflow validator's answer to the
same input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sandbox import BedrockBehaviour
from sandbox.bedrock import EMULATOR_RULES
from sandbox.bedrock_contract import AFTER_ACTIVE_RULES, IMPORT_JOB_RULES

pytestmark = pytest.mark.workflow

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/import-role"
ESCROW = f"s3://customer-escrow-{ACCOUNT}-smtj-abc123/job/step_100/"
HYPERPOD = f"s3://customer-escrow-{ACCOUNT}-hp-xyz789/run/checkpoints/"
PACKAGE_GROUP = "nova-sft"


def _s3_source(uri: str = ESCROW) -> dict[str, Any]:
    return {"modelSourceConfig": {"s3DataSource": {"s3Uri": uri}}, "roleArn": ROLE}


def _package_source(arn: str) -> dict[str, Any]:
    return {"customModelDataSource": {"modelPackageArnDataSource": {"modelPackageArn": arn}}}


def _stage(uri: str, key: str = "model.safetensors") -> None:
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    s3 = boto3.client("s3", region_name="us-east-1")
    if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=prefix + key, Body=b"weights")


def _model_package(restricted: bool = True) -> str:
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    groups = sagemaker.list_model_package_groups()["ModelPackageGroupSummaryList"]
    if PACKAGE_GROUP not in [g["ModelPackageGroupName"] for g in groups]:
        sagemaker.create_model_package_group(ModelPackageGroupName=PACKAGE_GROUP)
    extra = {"ManagedStorageType": "Restricted"} if restricted else {}
    return sagemaker.create_model_package(ModelPackageGroupName=PACKAGE_GROUP, **extra)["ModelPackageArn"]


def _tags(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"modelTags": [{"key": k, "value": v} for k, v in pairs]}


# (case id "<rule id>/<what>", request builder (runs inside the sandbox), expected error code, HTTP status)
Request = Callable[[], dict[str, Any]]
CASES: list[tuple[str, Request, str, int]] = [
    ("service-model/name-pattern", lambda: {"modelName": "bad--name", **_s3_source()}, "ValidationException", 400),
    ("service-model/empty-union", lambda: {"modelName": "m", "roleArn": ROLE, "modelSourceConfig": {}}, "ValidationException", 400),
    ("one-model-source/both", lambda: {"modelName": "m", **_s3_source(), **_package_source(_model_package())}, "ValidationException", 400),
    ("one-model-source/neither", lambda: {"modelName": "m", "roleArn": ROLE}, "ValidationException", 400),
    ("s3-source-needs-role/missing", lambda: {"modelName": "m", "modelSourceConfig": {"s3DataSource": {"s3Uri": ESCROW}}}, "ValidationException", 400),
    ("escrow-bucket/stack-bucket", lambda: {"modelName": "m", **_s3_source("s3://model-import-sandbox/incoming/m/")}, "ValidationException", 400),
    ("escrow-bucket/other-account", lambda: {"modelName": "m", **_s3_source("s3://customer-escrow-999999999999-smtj-abc/job/")}, "ValidationException", 400),
    ("escrow-bucket/unknown-kind", lambda: {"modelName": "m", **_s3_source(f"s3://customer-escrow-{ACCOUNT}-xyz-abc/job/")}, "ValidationException", 400),
    (
        "model-package-in-caller-account/other-account",
        lambda: {"modelName": "m", **_package_source("arn:aws:sagemaker:us-east-1:999999999999:model-package/nova-sft/1")},
        "ValidationException", 400,
    ),
    (
        "model-package-in-caller-account/other-region",
        lambda: {"modelName": "m", **_package_source(f"arn:aws:sagemaker:eu-west-1:{ACCOUNT}:model-package/nova-sft/1")},
        "ValidationException", 400,
    ),
    (
        "model-package-exists/missing",
        lambda: {"modelName": "m", **_package_source(f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/nowhere/1")},
        "ResourceNotFoundException", 404,
    ),
    ("model-package-restricted/not-restricted", lambda: {"modelName": "m", **_package_source(_model_package(restricted=False))}, "ValidationException", 400),
    ("reserved-tag-prefix/key", lambda: {"modelName": "m", **_s3_source(), **_tags(("AWS:team", "ml"))}, "ValidationException", 400),
    ("reserved-tag-prefix/value", lambda: {"modelName": "m", **_s3_source(), **_tags(("team", "aws:ml"))}, "ValidationException", 400),
    ("tag-count/51", lambda: {"modelName": "m", **_s3_source(), **_tags(*[(f"k{i}", "v") for i in range(51)])}, "ValidationException", 400),
    ("unique-tag-keys/repeated", lambda: {"modelName": "m", **_s3_source(), **_tags(("team", "a"), ("team", "b"))}, "ValidationException", 400),
]  # fmt: skip


@pytest.fixture
def sandbox(sandbox_factory) -> Any:
    sb = sandbox_factory(bedrock=BedrockBehaviour(outcome="active", polls=2))
    _stage(ESCROW)
    return sb


def _error(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_every_rule_has_a_case_and_every_case_a_rule() -> None:
    # name-taken: its own test; deployments, throughput and invocation: tests/workflow/test_deployment_emulators.py;
    # import jobs: tests/workflow/test_import_job_rules.py
    refused = {rule.id for rule in EMULATOR_RULES if rule.error != "Failed"} - {"name-taken"} - {r.id for r in AFTER_ACTIVE_RULES + IMPORT_JOB_RULES}
    assert {case.split("/")[0] for case, *_ in CASES} == refused
    assert len({rule.id for rule in EMULATOR_RULES}) == len(EMULATOR_RULES)


@pytest.mark.parametrize(("case", "request_for", "code", "status"), CASES, ids=[c[0] for c in CASES])
def test_a_request_breaking_a_rule_is_refused_and_leaves_no_model(sandbox, case: str, request_for: Request, code: str, status: int) -> None:
    # botocore's own checks off: the emulated service, not the client, must refuse
    bedrock = boto3.client("bedrock", region_name="us-east-1", config=Config(parameter_validation=False))
    request = request_for()

    assert _error(lambda: bedrock.create_custom_model(**request))[::2] == (code, status)
    assert bedrock.list_custom_models()["modelSummaries"] == []
    assert [rule for rule, _ in sandbox.bedrock_store().refusals] == [case.split("/")[0]]


def test_name_taken_is_a_conflict_and_leaves_only_the_first_model(sandbox) -> None:
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    first = bedrock.create_custom_model(modelName="m", clientRequestToken="one", **_s3_source())["modelArn"]

    assert _error(lambda: bedrock.create_custom_model(modelName="m", clientRequestToken="two", **_s3_source()))[::2] == ("ConflictException", 400)
    assert [m["modelArn"] for m in bedrock.list_custom_models()["modelSummaries"]] == [first]
    assert sandbox.bedrock_store().refusals == [("name-taken", "m")]


@pytest.mark.parametrize("uri", [ESCROW, HYPERPOD, f"s3://customer-escrow-{ACCOUNT}-smtj-abc123/"], ids=["training-job", "hyperpod", "bucket-root"])
def test_a_source_in_the_callers_escrow_bucket_with_artifacts_becomes_active(sandbox, uri: str) -> None:
    _stage(uri)
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    arn = bedrock.create_custom_model(modelName="m", **_s3_source(uri))["modelArn"]

    assert [bedrock.get_custom_model(modelIdentifier=arn)["modelStatus"] for _ in range(2)] == ["Creating", "Active"]


def test_a_restricted_model_package_of_the_account_becomes_active_without_a_role(sandbox) -> None:
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    arn = bedrock.create_custom_model(modelName="m", **_package_source(_model_package()))["modelArn"]

    assert [bedrock.get_custom_model(modelIdentifier=arn)["modelStatus"] for _ in range(2)] == ["Creating", "Active"]


@pytest.mark.parametrize(
    "uri",
    [f"s3://customer-escrow-{ACCOUNT}-smtj-abc123/job/step_200/", f"s3://customer-escrow-{ACCOUNT}-hp-nobucket/run/"],
    ids=["empty-prefix", "no-such-bucket"],
)
def test_an_escrow_source_holding_nothing_is_accepted_then_fails_where_it_would_have_finished(sandbox, uri: str) -> None:
    _stage(ESCROW, key="folder/")  # a folder marker is not an artifact
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    arn = bedrock.create_custom_model(modelName="m", **_s3_source(uri))["modelArn"]
    checks = [bedrock.get_custom_model(modelIdentifier=arn) for _ in range(2)]

    assert [c["modelStatus"] for c in checks] == ["Creating", "Failed"]
    assert uri in checks[-1]["failureMessage"] and "checkpoint" in checks[-1]["failureMessage"]
    assert sandbox.bedrock_store().refusals == []


def test_a_stuck_model_with_an_empty_source_stays_creating(sandbox_factory) -> None:
    sandbox_factory(bedrock=BedrockBehaviour(outcome="stuck", polls=1))
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    arn = bedrock.create_custom_model(modelName="m", **_s3_source())["modelArn"]

    assert [bedrock.get_custom_model(modelIdentifier=arn)["modelStatus"] for _ in range(3)] == ["Creating"] * 3


def test_get_list_and_delete_are_validated_from_the_service_model_too(sandbox) -> None:
    bedrock = boto3.client("bedrock", region_name="us-east-1")

    code, message, _ = _error(lambda: bedrock.get_custom_model(modelIdentifier="a b"))
    assert code == "ValidationException" and "at 'modelIdentifier'" in message
    code, message, _ = _error(lambda: bedrock.list_custom_models(maxResults=1001))
    assert (code, message) == (
        "ValidationException",
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 1000",
    )
    assert _error(lambda: bedrock.delete_custom_model(modelIdentifier="a/b"))[0] == "ValidationException"
