"""CreateCustomModel and GetCustomModel with a botocore Stubber: requests sent, answers mapped."""

import pytest
from botocore.stub import ANY, Stubber

from model_import.errors import AwsCallFailed, BedrockThrottled, BedrockUnavailable, ImportRejected
from model_import.inputs import Trigger
from model_import.models import check_model, create_model
from model_import.request import ImportRequest
from model_import.settings import CreateSettings, PollSettings
from tests.support import ACCOUNT_ID, BUCKET, ESCROW_URI, IMPORT_ROLE_ARN, REGION, new_client, trigger_key

MODEL_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:custom-model/imported/abcdef123456"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/" + "1" * 8 + "-2222-3333-4444-" + "5" * 12
POLL = PollSettings(poll_interval_seconds=60, import_timeout_minutes=5)
SETTINGS = CreateSettings(import_role_arn=IMPORT_ROLE_ARN, model_kms_key_arn=None, poll=POLL)
REQUEST = ImportRequest(
    model_name="my-model",
    source_uri=ESCROW_URI,
    tags={"team": "ml", "model-import:execution": "run-1"},
    client_request_token="a" * 64,
    trigger=Trigger(BUCKET, trigger_key("my-model"), "v1", "seq"),
)


@pytest.fixture
def bedrock():
    client = new_client("bedrock")
    with Stubber(client) as stub:
        client.stub = stub
        yield client
        stub.assert_no_pending_responses()


def test_create_sends_the_request_with_its_token_and_starts_the_loop(bedrock):
    bedrock.stub.add_response(
        "create_custom_model",
        {"modelArn": MODEL_ARN},
        {
            "modelName": "my-model",
            "modelSourceConfig": {"s3DataSource": {"s3Uri": ESCROW_URI}},
            "roleArn": IMPORT_ROLE_ARN,
            "modelTags": [{"key": "model-import:execution", "value": "run-1"}, {"key": "team", "value": "ml"}],
            "clientRequestToken": "a" * 64,
        },
    )
    model = create_model(bedrock, REQUEST, SETTINGS)
    assert model == {
        "kind": "sagemaker-checkpoint",
        "jobArn": None,
        "modelArn": MODEL_ARN,
        "modelName": "my-model",
        "modelStatus": "Creating",
        "failureMessage": None,
        "checks": 0,
        "waitedSeconds": 60,
        "waitSeconds": 60,
        "deadlineReached": False,
    }


def test_create_passes_the_kms_key_when_configured(bedrock):
    settings = CreateSettings(import_role_arn=IMPORT_ROLE_ARN, model_kms_key_arn=KMS_KEY, poll=POLL)
    bedrock.stub.add_response(
        "create_custom_model",
        {"modelArn": MODEL_ARN},
        {
            "modelName": ANY,
            "modelSourceConfig": ANY,
            "roleArn": ANY,
            "modelTags": ANY,
            "clientRequestToken": ANY,
            "modelKmsKeyArn": KMS_KEY,
        },
    )
    create_model(bedrock, REQUEST, settings)


def test_a_taken_name_is_rejected_saying_how_to_fix_it(bedrock):
    bedrock.stub.add_client_error("create_custom_model", "ConflictException", "Model name already exists", 400)
    with pytest.raises(ImportRejected) as caught:
        create_model(bedrock, REQUEST, SETTINGS)
    reason = str(caught.value)
    assert "a custom model named 'my-model' already exists in this account and region" in reason
    assert "Choose another modelName" in reason
    assert "aws bedrock delete-custom-model --model-identifier my-model" in reason


@pytest.mark.parametrize(
    ("code", "status", "error", "words"),
    [
        ("ValidationException", 400, ImportRejected, "Bedrock refused the request: boom"),
        ("TooManyTagsException", 400, ImportRejected, "Bedrock refused the tags: boom"),
        ("ThrottlingException", 429, BedrockThrottled, "ThrottlingException"),
        ("InternalServerException", 500, BedrockUnavailable, "InternalServerException"),
        ("ServiceUnavailableException", 503, BedrockUnavailable, "ServiceUnavailableException"),
        ("AccessDeniedException", 403, AwsCallFailed, "AccessDeniedException: boom"),
        ("ServiceQuotaExceededException", 400, ImportRejected, "quota on the number of custom and imported models"),
        ("ResourceNotFoundException", 404, AwsCallFailed, "ResourceNotFoundException"),
    ],
)
def test_create_errors_become_the_names_the_state_machine_routes_on(bedrock, code, status, error, words):
    bedrock.stub.add_client_error("create_custom_model", code, "boom", status)
    with pytest.raises(error) as caught:
        create_model(bedrock, REQUEST, SETTINGS)
    assert type(caught.value) is error
    assert words in str(caught.value)


def _loop(checks=0, waited=60):
    return {
        "modelArn": MODEL_ARN,
        "modelName": "my-model",
        "modelStatus": "Creating",
        "checks": checks,
        "waitedSeconds": waited,
    }


def _get(bedrock, status=None, **extra):
    response = {"modelArn": MODEL_ARN, "modelName": "my-model", "creationTime": "2025-01-01T00:00:00Z", **extra}
    if status:
        response["modelStatus"] = status
    bedrock.stub.add_response("get_custom_model", response, {"modelIdentifier": MODEL_ARN})


def test_a_creating_model_is_checked_again_after_the_interval(bedrock):
    _get(bedrock, "Creating")
    model = check_model(bedrock, _loop(checks=0, waited=60), POLL)
    assert (
        model["modelStatus"],
        model["checks"],
        model["waitSeconds"],
        model["waitedSeconds"],
        model["deadlineReached"],
    ) == ("Creating", 1, 60, 120, False)


def test_a_missing_status_counts_as_creating(bedrock):
    _get(bedrock)
    assert check_model(bedrock, _loop(), POLL)["modelStatus"] == "Creating"


def test_an_active_model_ends_the_loop(bedrock):
    _get(bedrock, "Active")
    model = check_model(bedrock, _loop(checks=3, waited=240), POLL)
    assert (model["modelStatus"], model["checks"], model["waitSeconds"], model["deadlineReached"]) == (
        "Active",
        4,
        0,
        False,
    )


def test_a_failed_model_carries_its_failure_message(bedrock):
    _get(bedrock, "Failed", failureMessage="checkpoint format not supported")
    model = check_model(bedrock, _loop(), POLL)
    assert (model["modelStatus"], model["failureMessage"]) == ("Failed", "checkpoint format not supported")


def test_still_creating_at_the_deadline_is_reported_as_reached(bedrock):
    _get(bedrock, "Creating")
    model = check_model(bedrock, _loop(checks=4, waited=300), POLL)
    assert (model["deadlineReached"], model["waitSeconds"], model["checks"]) == (True, 0, 5)


def test_active_at_the_deadline_is_a_success_not_a_timeout(bedrock):
    _get(bedrock, "Active")
    assert check_model(bedrock, _loop(checks=4, waited=300), POLL)["deadlineReached"] is False


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("ThrottlingException", 429, BedrockThrottled),
        ("InternalServerException", 500, BedrockUnavailable),
        ("ServiceUnavailableException", 503, BedrockUnavailable),
        ("AccessDeniedException", 403, AwsCallFailed),
        ("ResourceNotFoundException", 404, AwsCallFailed),
    ],
)
def test_check_errors_become_named_exceptions(bedrock, code, status, error):
    bedrock.stub.add_client_error("get_custom_model", code, "boom", status)
    with pytest.raises(error):
        check_model(bedrock, _loop(), POLL)


class _AnswersStatus:
    """A bedrock client whose GetCustomModel answers a status botocore's model does not list."""

    def __init__(self, status):
        self.status = status

    def get_custom_model(self, modelIdentifier):
        return {"modelArn": modelIdentifier, "modelName": "m", "modelStatus": self.status}


def test_an_unknown_status_keeps_waiting_the_interval_instead_of_spinning():
    model = check_model(_AnswersStatus("Importing"), _loop(checks=0, waited=60), POLL)
    assert (model["modelStatus"], model["waitSeconds"], model["waitedSeconds"], model["deadlineReached"]) == (
        "Importing",
        60,
        120,
        False,
    )


def test_an_unknown_status_at_the_deadline_times_out():
    model = check_model(_AnswersStatus("Importing"), _loop(checks=4, waited=300), POLL)
    assert (model["deadlineReached"], model["waitSeconds"]) == (True, 0)
