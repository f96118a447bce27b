"""CreateModelImportJob and GetModelImportJob with a botocore Stubber: requests sent, answers mapped."""

import pytest
from botocore.stub import Stubber

from model_import import bedrock_rules as rules
from model_import.errors import BedrockThrottled, ImportRejected
from model_import.inputs import Trigger
from model_import.models import check_model, create_model
from model_import.request import ImportRequest
from model_import.resources.import_job import job_name
from model_import.settings import CreateSettings, PollSettings
from tests.support import ACCOUNT_ID, BUCKET, IMPORT_ROLE_ARN, REGION, new_client, trigger_key

JOB_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:model-import-job/abcdef123456"
IMPORTED_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:imported-model/zyxwvu987654"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/" + "1" * 8 + "-2222-3333-4444-" + "5" * 12
FOLDER = f"s3://{BUCKET}/incoming/llama_ft/"
POLL = PollSettings(poll_interval_seconds=60, import_timeout_minutes=5)
SETTINGS = CreateSettings(import_role_arn=IMPORT_ROLE_ARN, model_kms_key_arn=KMS_KEY, poll=POLL)
REQUEST = ImportRequest(
    model_name="llama_ft",
    source_uri=FOLDER,
    tags={"team": "ml", "model-import:execution": "run-1"},
    client_request_token="ab12" * 16,
    trigger=Trigger(BUCKET, trigger_key("llama_ft"), "v1", "seq"),
    kind="open-weights",
)


@pytest.fixture
def bedrock():
    client = new_client("bedrock")
    with Stubber(client) as stub:
        client.stub = stub
        yield client
        stub.assert_no_pending_responses()


def test_create_sends_an_import_job_with_the_model_name_role_folder_key_tags_and_token(bedrock):
    tags = [{"key": "model-import:execution", "value": "run-1"}, {"key": "team", "value": "ml"}]
    bedrock.stub.add_response(
        "create_model_import_job",
        {"jobArn": JOB_ARN},
        {
            "jobName": "llama-ft-ab12ab12ab12",
            "importedModelName": "llama_ft",
            "roleArn": IMPORT_ROLE_ARN,
            "modelDataSource": {"s3DataSource": {"s3Uri": FOLDER}},
            "jobTags": tags,
            "importedModelTags": tags,
            "clientRequestToken": "ab12" * 16,
            "importedModelKmsKeyId": KMS_KEY,
        },
    )
    state = create_model(bedrock, REQUEST, SETTINGS)
    assert (state["kind"], state["jobArn"], state["modelArn"], state["modelStatus"]) == ("open-weights", JOB_ARN, None, "Creating")
    assert state["waitSeconds"] == 60


def test_the_job_name_meets_bedrocks_pattern_for_any_valid_model_name():
    import re

    pattern = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9\+\-\.])*")
    for name in ("a", "x_y-z", "m" * 63, "A1_b2_c3"):
        assert rules.is_valid_model_name(name)
        made = job_name(ImportRequest(name, FOLDER, {}, "f" * 64, None, kind="open-weights"))
        assert pattern.fullmatch(made) and len(made) <= 63
    other = job_name(ImportRequest("x", FOLDER, {}, "e" * 64, None, kind="open-weights"))
    assert other != job_name(ImportRequest("x", FOLDER, {}, "f" * 64, None, kind="open-weights"))


def test_a_name_taken_by_an_imported_model_is_rejected_naming_the_delete_command(bedrock):
    bedrock.stub.add_client_error("create_model_import_job", "ConflictException", "Model name already exists", 400)
    with pytest.raises(ImportRejected) as caught:
        create_model(bedrock, REQUEST, SETTINGS)
    assert "'aws bedrock delete-imported-model --model-identifier llama_ft'" in str(caught.value)


def test_a_throttled_create_is_retryable(bedrock):
    bedrock.stub.add_client_error("create_model_import_job", "ThrottlingException", "slow down", 429)
    with pytest.raises(BedrockThrottled):
        create_model(bedrock, REQUEST, SETTINGS)


@pytest.mark.parametrize(
    ("status", "model_status", "model_arn"),
    [("InProgress", "Creating", None), ("Completed", "Active", IMPORTED_ARN), ("Failed", "Failed", None)],
)
def test_check_maps_the_job_status_and_reports_the_imported_model(bedrock, status, model_status, model_arn):
    answer = {"jobArn": JOB_ARN, "jobName": "llama-ft-ab12ab12ab12", "importedModelName": "llama_ft", "status": status}
    if model_arn:
        answer["importedModelArn"] = model_arn
    if status == "Failed":
        answer["failureMessage"] = "config.json: unsupported architecture"
    bedrock.stub.add_response("get_model_import_job", answer, {"jobIdentifier": JOB_ARN})
    state = {"kind": "open-weights", "jobArn": JOB_ARN, "modelArn": None, "modelName": "llama_ft", "checks": 0, "waitedSeconds": 60}
    checked = check_model(bedrock, state, POLL)
    assert (checked["modelStatus"], checked["modelArn"], checked["jobArn"], checked["checks"]) == (model_status, model_arn, JOB_ARN, 1)
    assert checked["failureMessage"] == answer.get("failureMessage")
    assert checked["waitSeconds"] == (60 if status == "InProgress" else 0)
