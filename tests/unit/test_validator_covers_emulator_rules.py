"""Every request the emulated Bedrock refuses (tests/workflow/test_emulator_rules.py, one case per
rule) is refused by the workflow first, with a reason a person can act on: by ValidateArtifacts,
before Bedrock is called, or - where only Bedrock can know (the package exists, its type, the name
is free) - by the create step, which turns Bedrock's answer into a REJECTED reason. A new emulator
rule without its pair here fails test_every_emulator_case_is_paired."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from model_import.errors import ImportRejected
from model_import.models import create_model
from model_import.request import ImportRequest
from model_import.settings import CreateSettings, PollSettings
from model_import.validation import validate
from tests.support import ACCOUNT_ID, BUCKET, ESCROW_URI, MODEL_PACKAGE_ARN, execution_arn, s3_event, trigger_key
from tests.workflow.test_emulator_rules import CASES

ARN = execution_arn("pairs")
ESCROW = {"sourceUri": ESCROW_URI, "modelName": "m"}
OTHER = "999999999999"


def _manual(**fields: Any) -> dict[str, Any]:
    return {**ESCROW, **fields}


#: emulator case id -> the workflow input that asks for the same thing, and what its reason says
VALIDATOR_PAIRS: dict[str, tuple[dict[str, Any], str]] = {
    "service-model/name-pattern": (_manual(modelName="bad--name"), "the model name 'bad--name' is not allowed"),
    "service-model/empty-union": (_manual(sourceUri=""), '"sourceUri" must be a non-empty string'),
    "one-model-source/both": (_manual(modelPackageArn=MODEL_PACKAGE_ARN), 'names both "sourceUri" and "modelPackageArn"'),
    "one-model-source/neither": ({"modelName": "m", "tags": {}}, "unrecognised input"),
    # (A folder under incoming/ is open weights: CreateModelImportJob, never CreateCustomModel's S3 source.)
    "escrow-bucket/stack-bucket": (_manual(sourceUri=f"s3://{BUCKET}/private/m/"), "is in this stack's artifact bucket but outside its model folders"),
    "escrow-bucket/other-account": (_manual(sourceUri=f"s3://customer-escrow-{OTHER}-smtj-abc/job/"), f"escrow bucket of account {OTHER}"),
    "escrow-bucket/unknown-kind": (_manual(sourceUri=f"s3://customer-escrow-{ACCOUNT_ID}-xyz-abc/job/"), "is not a SageMaker escrow bucket"),
    "model-package-in-caller-account/other-account": (
        {"modelName": "m", "modelPackageArn": f"arn:aws:sagemaker:us-east-1:{OTHER}:model-package/nova-sft/1"}, f"is in account {OTHER}",
    ),
    "model-package-in-caller-account/other-region": (
        {"modelName": "m", "modelPackageArn": f"arn:aws:sagemaker:eu-west-1:{ACCOUNT_ID}:model-package/nova-sft/1"}, "region eu-west-1",
    ),
    "reserved-tag-prefix/key": (_manual(tags={"AWS:team": "ml"}), "'aws:'"),
    "reserved-tag-prefix/value": (_manual(tags={"team": "aws:ml"}), "'aws:'"),
    "tag-count/51": (_manual(tags={f"k{i}": "v" for i in range(51)}), "too many tags"),
}  # fmt: skip

#: emulator case id -> Bedrock's answer, and what the create step's REJECTED reason says. Only
#: Bedrock can tell these (ValidateArtifacts may not read SageMaker's registry or Bedrock's models).
CREATE_PAIRS: dict[str, tuple[str, str]] = {
    "model-package-exists/missing": ("ResourceNotFoundException", "describe-model-package"),
    "model-package-restricted/not-restricted": ("ValidationException", "Bedrock refused the request: "),
}

#: emulator case id -> why no workflow input can break that rule
BY_CONSTRUCTION = {
    "s3-source-needs-role/missing": "the create step sends roleArn with every S3 source (test below)",
    "unique-tag-keys/repeated": "tags are a JSON object, and a key given twice is refused by strict JSON (test below)",
}


def test_every_emulator_case_is_paired() -> None:
    ids = {case[0] for case in CASES}
    assert ids == set(VALIDATOR_PAIRS) | set(CREATE_PAIRS) | set(BY_CONSTRUCTION)


@pytest.mark.parametrize("case", sorted(VALIDATOR_PAIRS))
def test_the_validator_rejects_it_first_with_the_reason(case: str, validate_settings) -> None:
    event, words = VALIDATOR_PAIRS[case]
    with pytest.raises(ImportRejected) as caught:
        validate(event, ARN, validate_settings, s3=None)  # a manual source: nothing is read
    assert words in str(caught.value)


def _package_request() -> ImportRequest:
    return ImportRequest("m", None, {}, "t" * 64, None, kind="sagemaker-model-package", model_package_arn=MODEL_PACKAGE_ARN)


class _Bedrock:
    def __init__(self, error: str | None = None) -> None:
        self.error, self.calls = error, []

    def create_custom_model(self, **args: Any) -> dict[str, str]:
        self.calls.append(args)
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "refused"}}, "CreateCustomModel")
        return {"modelArn": "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abcdefghijkl"}


SETTINGS = CreateSettings("arn:aws:iam::123456789012:role/r", None, PollSettings(60, 240))


@pytest.mark.parametrize("case", sorted(CREATE_PAIRS))
def test_the_create_step_turns_bedrocks_refusal_into_a_reason(case: str) -> None:
    code, words = CREATE_PAIRS[case]
    with pytest.raises(ImportRejected) as caught:
        create_model(_Bedrock(code), _package_request(), SETTINGS)
    assert words in str(caught.value)


def test_every_s3_source_is_sent_with_the_import_role() -> None:
    bedrock = _Bedrock()
    create_model(bedrock, ImportRequest("m", ESCROW_URI, {}, "t" * 64, None), SETTINGS)
    create_model(bedrock, _package_request(), SETTINGS)
    s3_call, package_call = bedrock.calls
    assert s3_call["roleArn"] == SETTINGS.import_role_arn and "modelSourceConfig" in s3_call
    assert "roleArn" not in package_call and "modelSourceConfig" not in package_call


def test_a_tag_key_given_twice_never_reaches_bedrock(aws, validate_settings) -> None:
    body = '{"checkpoint_s3_bucket": "%s", "tags": {"team": "a", "team": "b"}}' % ESCROW_URI
    aws.put(trigger_key("m"), body.encode())
    with pytest.raises(ImportRejected, match="team"):
        validate(s3_event(trigger_key("m")), ARN, validate_settings, aws.s3)
    assert json.loads(body)["tags"] == {"team": "b"}  # what plain JSON would have sent silently


# ---- after Active (issue 10): deployments, Provisioned Throughput, invocation.
# The workflow code handling these (DeployModel, SmokeTest) is built beside the emulator; these pairs
# state its contract (notes: issue-10-design.md), each case either impossible by construction or
# ending in a named, visible outcome - never a crash or a silent success.
from tests.workflow.test_deployment_emulators import CASES as AFTER_ACTIVE_CASES  # noqa: E402

DEPLOY_REFUSED = "DeployModel turns Bedrock's refusal into a failed deployment (outcome stays ACTIVE, ModelDeploymentFailed)"
SMOKE_REFUSED = "SmokeTest returns ok false with '<Code>: <message>' (outcome stays ACTIVE, ModelSmokeTestFailed)"
NEVER_SENT = "by construction"

AFTER_ACTIVE_PAIRS: dict[str, str] = {
    "deployment-model-exists/create": f"{NEVER_SENT}: DeployModel deploys the ARN the import returned; otherwise {DEPLOY_REFUSED}",
    "deployment-model-exists/update": f"{NEVER_SENT}: the update names the model this import just made Active; otherwise {DEPLOY_REFUSED}",
    "deployment-model-active/creating": f"{NEVER_SENT}: the deploy phase starts after IsModelReady saw Active (RecordSuccess first); otherwise {DEPLOY_REFUSED}",
    "deployment-name-taken/second": f"DeployModel looks the name up first and updates this stack's deployment; in a race it looks again after the refusal and waits for (DeploymentBusy) or updates the other import's deployment; a name still free or another stack's: {DEPLOY_REFUSED}",
    "update-deployment-active/creating": f"DeployModel updates only an Active deployment: this stack's one still Creating is waited for (DeploymentBusy, retried by StartDeployment), past the retries {DEPLOY_REFUSED}",
    "update-deployment-active/updating": f"DeployModel updates only an Active deployment with no update running: another update is waited for (DeploymentBusy); a Failed one: {DEPLOY_REFUSED}",
    "deployment-busy/creating": f"{NEVER_SENT}: the workflow never deletes a deployment (README says how to, by hand)",
    "throughput-model-exists/unknown": f"{NEVER_SENT}: modelId is the ARN the import returned; otherwise {DEPLOY_REFUSED}",
    "throughput-model-active/creating": f"{NEVER_SENT}: the deploy phase starts after Active; otherwise {DEPLOY_REFUSED}",
    "throughput-foundation-model/nova": f"{NEVER_SENT}: modelId is always the imported custom model's ARN",
    "throughput-name-taken/second": DEPLOY_REFUSED,
    "model-units-quota/over": f"{DEPLOY_REFUSED}, with Bedrock's message and the fix (MaxProvisionedModelUnits guards the stack's own spend first)",
    "model-units-quota/default-one-unit-without-commitment": f"{DEPLOY_REFUSED}: more than one model unit needs a quota increase from AWS Support (README, costs)",
    "model-units-quota/default-two-throughputs-without-commitment": f"{DEPLOY_REFUSED}, naming the account's limit; delete an old throughput first",
    "model-units-quota/default-none-with-commitment": "by construction: DeployModel buys no commitment (commitmentDuration is omitted)",
    "invoke-custom-model/nova-arn": f"{NEVER_SENT}: the smoke test invokes the deployment's or throughput's ARN, or an imported model's",
    "invoke-unknown-model/deployment": SMOKE_REFUSED,
    "invoke-unknown-model/throughput": SMOKE_REFUSED,
    "invoke-unknown-model/imported": SMOKE_REFUSED,
    "invoke-foundation-model/nova": f"{NEVER_SENT}: the smoke test's modelId is an ARN this import made",
    "invoke-not-ready/deployment-creating": f"{NEVER_SENT}: RunSmokeTest runs once the deployment is Active (IsModelReady); otherwise {SMOKE_REFUSED}",
    "invoke-not-ready/deployment-failed": f"{NEVER_SENT}: a Failed deployment ends in RecordDeploymentFailure before any smoke test",
    "invoke-not-ready/throughput-creating": f"{NEVER_SENT}: RunSmokeTest runs once the throughput is InService; otherwise {SMOKE_REFUSED}",
    "invoke-body-format/not-json": f"{NEVER_SENT}: the smoke test sends JSON; otherwise {SMOKE_REFUSED}",
    "invoke-body-format/nova-without-messages": f"{NEVER_SENT}: custom models are called with Converse; otherwise {SMOKE_REFUSED}",
    "invoke-body-format/llama-given-messages": f"{NEVER_SENT}: the body follows GetImportedModel.modelArchitecture; otherwise {SMOKE_REFUSED}",
    "converse-needs-chat-template/imported": f"{NEVER_SENT}: Converse only when GetImportedModel.instructSupported; otherwise {SMOKE_REFUSED}",
}  # fmt: skip


def test_every_after_active_case_is_paired_with_the_workflows_handling() -> None:
    assert {case.id for case in AFTER_ACTIVE_CASES} == set(AFTER_ACTIVE_PAIRS)
    for case, handling in AFTER_ACTIVE_PAIRS.items():
        # each names a visible outcome, or why the workflow cannot send it
        assert handling.startswith(NEVER_SENT) or DEPLOY_REFUSED in handling or SMOKE_REFUSED in handling, case


# ---- Custom Model Import (open-weight folders): the import-job emulator's rules
# (bedrock_contract.IMPORT_JOB_RULES, tests/workflow/test_import_job_rules.py), each with the
# workflow's answer: REJECTED before or at the create step, or never sent by construction.
from model_import.errors import AwsCallFailed  # noqa: E402
from model_import.kinds import KIND_OPEN_WEIGHTS  # noqa: E402
from model_import.models import check_model  # noqa: E402
from model_import.resources.import_job import job_name  # noqa: E402
from tests.workflow.test_import_job_rules import CASES as IMPORT_CASES, FAILED_CASES as IMPORT_FAILED_CASES  # noqa: E402

NAME_TAKEN_REJECTED = "the create step turns the ConflictException into REJECTED, naming the delete command (test below)"

IMPORT_JOB_PAIRS: dict[str, str] = {
    "service-model/import-job-without-role": f"{NEVER_SENT}: the create step sends the stack's import role with every job (test below)",
    "imported-model-name-taken/imported": NAME_TAKEN_REJECTED,
    "imported-model-name-taken/in-progress": f"{NAME_TAKEN_REJECTED}; two uploads of one name at once: the second",
    "import-job-name-taken/second": f"{NEVER_SENT}: jobName is the model name and 12 hex digits of the request token: "
    "a new request gets a new name, a retry the same token, which Bedrock answers with the first job (test below)",
    "import-job-exists/unknown": f"{NEVER_SENT}: CheckImportStatus asks for the jobArn the create step returned; otherwise "
    "AwsCallFailed, outcome ERROR naming the call (test below)",
    "imported-model-exists/unknown": f"{NEVER_SENT}: the smoke test reads the model its job made; otherwise AwsCallFailed, "
    "RunSmokeTest's Catch: smoke test FAILED, outcome ACTIVE",
    "imported-model-exists/delete-unknown": f"{NEVER_SENT}: the workflow never deletes an imported model (a REJECTED reason gives the command)",
    "import-empty-source/empty-prefix": "ValidateArtifacts rejects a folder without config.json first (test below); a folder "
    "emptied after validation: FAILED with Bedrock's failureMessage (tests/workflow/test_open_weights.py)",
}  # fmt: skip


def test_every_import_job_case_is_paired_with_the_workflows_handling() -> None:
    assert {case[0] for case in IMPORT_CASES} | set(IMPORT_FAILED_CASES) == set(IMPORT_JOB_PAIRS)


def _open_weights(token: str = "t" * 64) -> ImportRequest:
    return ImportRequest("qwen", f"s3://{BUCKET}/incoming/qwen/", {}, token, None, kind=KIND_OPEN_WEIGHTS)


class _ImportBedrock:
    def __init__(self, error: str | None = None) -> None:
        self.error, self.calls = error, []

    def create_model_import_job(self, **args: Any) -> dict[str, str]:
        self.calls.append(args)
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "An imported model with the name qwen already exists."}},
                              "CreateModelImportJob")  # fmt: skip
        return {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-import-job/abcdefghijkl"}

    def get_model_import_job(self, **args: Any) -> dict[str, str]:
        raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "Could not find the job."}}, "GetModelImportJob")


def test_an_imported_model_name_taken_is_rejected_naming_the_delete_command() -> None:
    with pytest.raises(ImportRejected) as caught:
        create_model(_ImportBedrock("ConflictException"), _open_weights(), SETTINGS)
    assert "an imported model named 'qwen' already exists" in str(caught.value)
    assert "'aws bedrock delete-imported-model --model-identifier qwen'" in str(caught.value)


def test_every_import_job_is_sent_with_the_role_and_a_name_per_request() -> None:
    bedrock = _ImportBedrock()
    create_model(bedrock, _open_weights(), SETTINGS)
    [call] = bedrock.calls
    assert call["roleArn"] == SETTINGS.import_role_arn and call["clientRequestToken"] == "t" * 64
    assert job_name(_open_weights("a" * 64)) != job_name(_open_weights("b" * 64))
    assert job_name(_open_weights("a" * 64)) == job_name(_open_weights("a" * 64)) == "qwen-aaaaaaaaaaaa"


def test_an_unknown_import_job_ends_in_an_error_naming_the_call() -> None:
    state = create_model(_ImportBedrock(), _open_weights(), SETTINGS)
    with pytest.raises(AwsCallFailed, match="bedrock GetModelImportJob failed: ResourceNotFoundException"):
        check_model(_ImportBedrock(), state, SETTINGS.poll)


def test_an_empty_model_folder_is_rejected_before_any_job(aws, validate_settings) -> None:
    aws.put_json(trigger_key("empty"), {})  # the trigger file alone: no config.json, no weights
    with pytest.raises(ImportRejected, match="config.json is missing"):
        validate(s3_event(trigger_key("empty")), ARN, validate_settings, aws.s3)
