"""Each rule of the emulated Custom Model Import (bedrock_contract.IMPORT_JOB_RULES, sandbox/import_jobs.py),
through boto3 in a sandbox: the exact error a caller gets, the rule recorded by its id, and what is
left behind. The case ids start with the rule's id; tests/unit/test_validator_covers_emulator_rules.py
pairs each with the workflow's handling of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sandbox import BedrockBehaviour
from sandbox.bedrock_contract import IMPORT_JOB_RULES

pytestmark = pytest.mark.workflow

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/import-role"
SOURCE = "s3://model-import-sandbox/incoming/qwen/"
EMPTY = "s3://model-import-sandbox/incoming/nothing-here/"


def _bedrock() -> Any:
    # botocore's own checks off: the emulated service, not the client, must refuse
    return boto3.client("bedrock", region_name="us-east-1", config=Config(parameter_validation=False))


def _job(bedrock: Any, job: str, model: str, source: str = SOURCE, **extra: Any) -> str:
    return bedrock.create_model_import_job(
        jobName=job, importedModelName=model, roleArn=ROLE, modelDataSource={"s3DataSource": {"s3Uri": source}}, **extra
    )["jobArn"]


def _completed(bedrock: Any, job: str, model: str) -> str:
    arn = _job(bedrock, job, model)
    while bedrock.get_model_import_job(jobIdentifier=arn)["status"] == "InProgress":
        pass
    return arn


# (case id "<rule id>/<what>", the refused call (after any setup), expected code, HTTP status)
CASES: list[tuple[str, Callable[[Any], Any], str, int]] = [
    (
        "service-model/import-job-without-role",
        lambda b: b.create_model_import_job(jobName="j", importedModelName="m", modelDataSource={"s3DataSource": {"s3Uri": SOURCE}}),
        "ValidationException", 400,
    ),
    ("imported-model-name-taken/imported", lambda b: (_completed(b, "j1", "m"), _job(b, "j2", "m")), "ConflictException", 400),
    ("imported-model-name-taken/in-progress", lambda b: (_job(b, "j1", "m"), _job(b, "j2", "m")), "ConflictException", 400),
    ("import-job-name-taken/second", lambda b: (_completed(b, "j", "m1"), _job(b, "j", "m2")), "ConflictException", 400),
    (
        "import-job-exists/unknown",
        lambda b: b.get_model_import_job(jobIdentifier=f"arn:aws:bedrock:us-east-1:{ACCOUNT}:model-import-job/abcdefghijkl"),
        "ResourceNotFoundException", 404,
    ),
    ("imported-model-exists/unknown", lambda b: b.get_imported_model(modelIdentifier="nowhere"), "ResourceNotFoundException", 404),
    ("imported-model-exists/delete-unknown", lambda b: b.delete_imported_model(modelIdentifier="nowhere"), "ResourceNotFoundException", 404),
]  # fmt: skip
#: Rules that accept the request and fail the job later (their own test below).
FAILED_CASES = ["import-empty-source/empty-prefix"]


@pytest.fixture
def sandbox(sandbox_factory) -> Any:
    sb = sandbox_factory(bedrock=BedrockBehaviour(outcome="active", polls=2))
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=sb.bucket, Key="incoming/qwen/model.safetensors", Body=b"w")
    return sb


def test_every_import_job_rule_has_a_case() -> None:
    refused = {rule.id for rule in IMPORT_JOB_RULES if rule.error != "Failed"}
    failed = {rule.id for rule in IMPORT_JOB_RULES if rule.error == "Failed"}
    assert {case.split("/")[0] for case, *_ in CASES} - {"service-model"} == refused
    assert {case.split("/")[0] for case in FAILED_CASES} == failed


@pytest.mark.parametrize(("case", "call", "code", "status"), CASES, ids=[c[0] for c in CASES])
def test_a_request_breaking_an_import_rule_is_refused_and_recorded(sandbox, case: str, call: Callable[[Any], Any], code: str, status: int) -> None:
    bedrock = _bedrock()
    with pytest.raises(ClientError) as caught:
        call(bedrock)
    response = caught.value.response

    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)
    assert [rule for rule, _ in sandbox.import_store().refusals] == [case.split("/")[0]]
    if code == "ConflictException":  # the first job stands, no second one was started
        assert len(sandbox.import_store().jobs) == 1 and len(sandbox.import_store().created) == 1


def test_a_repeated_client_request_token_returns_the_first_job_not_a_conflict(sandbox) -> None:
    bedrock = _bedrock()
    first = _job(bedrock, "j", "m", clientRequestToken="t" * 32)
    assert _job(bedrock, "j", "m", clientRequestToken="t" * 32) == first
    assert sandbox.import_store().refusals == [] and sandbox.import_store().replays == ["m"]


def test_import_empty_source_a_job_of_an_empty_folder_is_accepted_then_fails(sandbox) -> None:
    bedrock = _bedrock()
    arn = _job(bedrock, "j", "m", source=EMPTY)
    jobs = [bedrock.get_model_import_job(jobIdentifier=arn) for _ in range(2)]

    assert [j["status"] for j in jobs] == ["InProgress", "Failed"]
    assert EMPTY in jobs[-1]["failureMessage"]
    assert sandbox.import_store().refusals == [] and bedrock.list_imported_models()["modelSummaries"] == []
