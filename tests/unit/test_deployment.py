"""The deployment phase's Bedrock calls with a botocore Stubber: on-demand deployments (created, a
retry carried on, this stack's one repointed, another stack's or a busy one refused), Provisioned
Throughput (the cost guard, no commitment), every status mapping, and refusals -> DeploymentRejected."""

from __future__ import annotations

import hashlib

import pytest
from botocore.stub import Stubber

from model_import import loop
from model_import.errors import AwsCallFailed, BedrockThrottled, BedrockUnavailable, DeploymentBusy, DeploymentRejected
from model_import.models import check_model, start_deployment
from model_import.polling import MAX_CHECKS
from model_import.settings import DeploySettings, PollSettings
from tests.support import ACCOUNT_ID, REGION, new_client

MODEL_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:custom-model/imported/abcdef123456"
OLD_MODEL_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:custom-model/imported/000000aaaaaa"
DEPLOYMENT_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:custom-model-deployment/a1b2c3d4e5f6"
PT_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:provisioned-model/a1b2c3d4e5f6"
POLL = PollSettings(poll_interval_seconds=60, import_timeout_minutes=5)
SETTINGS = DeploySettings(stack_name="my-stack", max_provisioned_model_units=2, poll=POLL)
TOKEN = "a" * 64
TAGS = [
    {"key": "model-import:execution", "value": "run-1"},
    {"key": "model-import:stack", "value": "my-stack"},
    {"key": "team", "value": "ml"},
]


def request(mode: str = "on-demand", name: str = "my-endpoint", units: int | None = None) -> dict:
    return {
        "kind": "sagemaker-checkpoint",
        "modelName": "my-model",
        "tags": {"team": "ml", "model-import:execution": "run-1"},
        "clientRequestToken": TOKEN,
        "deploy": {"mode": mode, "name": name, "modelUnits": units},
    }


def active_model(checks: int = 3) -> dict:
    return {
        "kind": "sagemaker-checkpoint", "modelArn": MODEL_ARN, "jobArn": None, "modelName": "my-model", "modelStatus": "Active",
        "failureMessage": None, "checks": checks, "waitedSeconds": 180, "waitSeconds": 0, "deadlineReached": False,
    }


@pytest.fixture
def bedrock():
    client = new_client("bedrock")
    with Stubber(client) as stub:
        client.stub = stub
        yield client
        stub.assert_no_pending_responses()


def _not_found(bedrock, name="my-endpoint"):
    bedrock.stub.add_client_error(
        "get_custom_model_deployment", "ResourceNotFoundException", "no such deployment", 404,
        expected_params={"customModelDeploymentIdentifier": name},
    )


def _found(bedrock, model_arn=OLD_MODEL_ARN, status="Active", update=None):
    response = {
        "customModelDeploymentArn": DEPLOYMENT_ARN, "modelDeploymentName": "my-endpoint", "modelArn": model_arn,
        "createdAt": "2026-01-01T00:00:00Z", "status": status,
    }
    if update:
        response["updateDetails"] = update
    bedrock.stub.add_response("get_custom_model_deployment", response, {"customModelDeploymentIdentifier": "my-endpoint"})


# --------------------------------------------------------------- on-demand: create


def test_a_new_name_creates_the_deployment_with_the_stack_tag_and_a_derived_token(bedrock):
    _not_found(bedrock)
    bedrock.stub.add_response(
        "create_custom_model_deployment",
        {"customModelDeploymentArn": DEPLOYMENT_ARN},
        {
            "modelDeploymentName": "my-endpoint", "modelArn": MODEL_ARN, "tags": TAGS,
            "clientRequestToken": hashlib.sha256(f"custom-model-deployment\n{TOKEN}".encode()).hexdigest(),
        },
    )
    model = start_deployment(bedrock, request(), active_model(), SETTINGS)
    assert model["modelStatus"] == "Active" and model["modelArn"] == MODEL_ARN  # the import's state is kept
    deployment = model["deployment"]
    assert {k: deployment[k] for k in ("mode", "name", "arn", "status", "modelArn", "replacedModelArn", "failureMessage", "modelUnits")} == {
        "mode": "on-demand", "name": "my-endpoint", "arn": DEPLOYMENT_ARN, "status": "Creating", "modelArn": MODEL_ARN,
        "replacedModelArn": None, "failureMessage": None, "modelUnits": None,
    }
    # Its own counters from 0; WaitBeforeCheck reads the top-level waitSeconds.
    assert deployment["checks"] == 0 and deployment["waitedSeconds"] == 60 and not deployment["deadlineReached"]
    assert model["waitSeconds"] == deployment["waitSeconds"] == 60


@pytest.mark.parametrize(
    "code, message",
    [
        ("ValidationException", "The model is not supported for on-demand deployment"),
        ("ValidationException", "A deployment with this name already exists"),
        ("ServiceQuotaExceededException", "Too many deployments"),
        ("ResourceNotFoundException", "Model not found"),
        ("TooManyTagsException", "too many tags"),
        ("ConflictException", "name in use"),  # not modelled for this operation; any refusal is handled
    ],
)
def test_bedrock_refusing_the_deployment_is_deployment_rejected_with_its_message_and_the_fix(bedrock, code, message):
    _not_found(bedrock)
    bedrock.stub.add_client_error("create_custom_model_deployment", code, message, 400)
    _not_found(bedrock)  # looked up again: the name may have been taken meanwhile (another import)
    with pytest.raises(DeploymentRejected) as caught:
        start_deployment(bedrock, request(), active_model(), SETTINGS)
    reason = str(caught.value)
    assert message in reason and code in reason and "my-endpoint" in reason
    assert '"provisioned"' in reason and "the model itself is Active" in reason


@pytest.mark.parametrize(
    "code, status, raised",
    [("ThrottlingException", 429, BedrockThrottled), ("InternalServerException", 500, BedrockUnavailable),
     ("AccessDeniedException", 403, AwsCallFailed)],
)
def test_transient_errors_are_retried_and_access_denied_is_the_stacks_own_error(bedrock, code, status, raised):
    _not_found(bedrock)
    bedrock.stub.add_client_error("create_custom_model_deployment", code, "no", status)
    with pytest.raises(raised):
        start_deployment(bedrock, request(), active_model(), SETTINGS)


def test_a_failed_lookup_is_not_taken_for_a_missing_deployment(bedrock):
    bedrock.stub.add_client_error("get_custom_model_deployment", "ThrottlingException", "slow down", 429)
    with pytest.raises(BedrockThrottled):
        start_deployment(bedrock, request(), active_model(), SETTINGS)


# --------------------------------------------------------------- on-demand: the stable name


def test_this_stacks_active_deployment_is_repointed_and_names_the_model_it_served(bedrock):
    _found(bedrock)
    bedrock.stub.add_response(
        "list_tags_for_resource", {"tags": [{"key": "model-import:stack", "value": "my-stack"}]}, {"resourceARN": DEPLOYMENT_ARN}
    )
    bedrock.stub.add_response(
        "update_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN},
        {"customModelDeploymentIdentifier": DEPLOYMENT_ARN, "modelArn": MODEL_ARN},
    )
    deployment = start_deployment(bedrock, request(), active_model(), SETTINGS)["deployment"]
    assert deployment["arn"] == DEPLOYMENT_ARN and deployment["status"] == "Updating"
    assert deployment["modelArn"] == MODEL_ARN and deployment["replacedModelArn"] == OLD_MODEL_ARN


@pytest.mark.parametrize("tags", [[], [{"key": "model-import:stack", "value": "other-stack"}], [{"key": "team", "value": "ml"}]])
def test_a_deployment_of_another_stack_or_of_none_is_never_touched(bedrock, tags):
    _found(bedrock)
    bedrock.stub.add_response("list_tags_for_resource", {"tags": tags}, {"resourceARN": DEPLOYMENT_ARN})
    with pytest.raises(DeploymentRejected, match="exists but was not created by this stack.*Choose another deploy.name"):
        start_deployment(bedrock, request(), active_model(), SETTINGS)


def _ours(bedrock):
    bedrock.stub.add_response(
        "list_tags_for_resource", {"tags": [{"key": "model-import:stack", "value": "my-stack"}]}, {"resourceARN": DEPLOYMENT_ARN}
    )


@pytest.mark.parametrize(
    "status, update, shown",
    [("Creating", None, "Creating"), ("Active", {"modelArn": f"{OLD_MODEL_ARN[:-6]}bbbbbb", "updateStatus": "Updating"}, "Updating")],
)
def test_this_stacks_deployment_busy_with_another_import_is_waited_for(bedrock, status, update, shown):
    """Another import of the same deploy.name is creating or updating it: StartDeployment retries
    (DeploymentBusy) until Bedrock can update it, instead of failing the deployment."""
    _found(bedrock, status=status, update=update)
    _ours(bedrock)
    with pytest.raises(DeploymentBusy, match=f"of this stack is {shown} .*waits for it.*get-custom-model-deployment"):
        start_deployment(bedrock, request(), active_model(), SETTINGS)


def test_this_stacks_failed_deployment_is_refused_with_the_command_that_frees_the_name(bedrock):
    _found(bedrock, status="Failed")
    _ours(bedrock)
    with pytest.raises(DeploymentRejected, match="is Failed.*never serves again.*delete-custom-model-deployment") as caught:
        start_deployment(bedrock, request(), active_model(), SETTINGS)
    assert "Wait until" not in str(caught.value)  # a Failed deployment never becomes Active


def test_an_active_deployment_whose_last_update_failed_is_updated_again(bedrock):
    _found(bedrock, update={"modelArn": f"{OLD_MODEL_ARN[:-6]}bbbbbb", "updateStatus": "UpdateFailed"})
    _ours(bedrock)
    bedrock.stub.add_response(
        "update_custom_model_deployment", {"customModelDeploymentArn": DEPLOYMENT_ARN},
        {"customModelDeploymentIdentifier": DEPLOYMENT_ARN, "modelArn": MODEL_ARN},
    )
    deployment = start_deployment(bedrock, request(), active_model(), SETTINGS)["deployment"]
    assert deployment["status"] == "Updating" and deployment["replacedModelArn"] == OLD_MODEL_ARN


def test_a_name_taken_between_the_lookup_and_the_create_is_the_stable_name_case(bedrock):
    """Two imports of the same deploy.name at once: both found none, the other created it first."""
    _not_found(bedrock)
    bedrock.stub.add_client_error(
        "create_custom_model_deployment", "ValidationException", "A custom model deployment with the name my-endpoint already exists.", 400
    )
    _found(bedrock, status="Creating")
    _ours(bedrock)
    with pytest.raises(DeploymentBusy, match="is Creating"):
        start_deployment(bedrock, request(), active_model(), SETTINGS)


def test_an_update_refused_because_another_update_began_meanwhile_is_waited_for(bedrock):
    _found(bedrock)
    _ours(bedrock)
    bedrock.stub.add_client_error("update_custom_model_deployment", "ValidationException", "an update is in progress", 400)
    _found(bedrock, update={"modelArn": f"{OLD_MODEL_ARN[:-6]}bbbbbb", "updateStatus": "Updating"})
    with pytest.raises(DeploymentBusy, match="is Updating"):
        start_deployment(bedrock, request(), active_model(), SETTINGS)


def test_a_retry_finding_the_deployment_already_serving_this_model_carries_on(bedrock):
    _found(bedrock, model_arn=MODEL_ARN, status="Creating")
    deployment = start_deployment(bedrock, request(), active_model(), SETTINGS)["deployment"]
    assert deployment["status"] == "Creating" and deployment["replacedModelArn"] is None


def test_a_retry_after_the_update_was_accepted_carries_on_with_the_replaced_model(bedrock):
    _found(bedrock, model_arn=OLD_MODEL_ARN, update={"modelArn": MODEL_ARN, "updateStatus": "Updating"})
    deployment = start_deployment(bedrock, request(), active_model(), SETTINGS)["deployment"]
    assert deployment["status"] == "Updating" and deployment["replacedModelArn"] == OLD_MODEL_ARN


def test_an_update_bedrock_refuses_is_deployment_rejected(bedrock):
    _found(bedrock)
    bedrock.stub.add_response("list_tags_for_resource", {"tags": [{"key": "model-import:stack", "value": "my-stack"}]})
    bedrock.stub.add_client_error("update_custom_model_deployment", "ValidationException", "model not eligible", 400)
    _found(bedrock)  # looked up again: still Active with no update running, so the refusal stands
    with pytest.raises(DeploymentRejected, match="model not eligible"):
        start_deployment(bedrock, request(), active_model(), SETTINGS)


# --------------------------------------------------------------- on-demand: checks


def _deploying(status="Creating", model_arn=MODEL_ARN, checks=0, waited=60):
    model = loop.deployment_started(active_model(), POLL, mode="on-demand", name="my-endpoint", arn=DEPLOYMENT_ARN, status=status, model_arn=model_arn)
    model["deployment"].update(checks=checks, waitedSeconds=waited)
    return model


@pytest.mark.parametrize(
    "status, update, expected, wait",
    [
        ("Creating", None, "Creating", 60),
        ("Active", None, "Active", 0),
        ("Failed", None, "Failed", 0),
        ("Active", {"modelArn": MODEL_ARN, "updateStatus": "Updating"}, "Updating", 60),
        ("Active", {"modelArn": MODEL_ARN, "updateStatus": "UpdateCompleted"}, "Active", 0),
        ("Active", {"modelArn": MODEL_ARN, "updateStatus": "UpdateFailed"}, "Failed", 0),
        # an earlier update to another model says nothing about this one
        ("Active", {"modelArn": OLD_MODEL_ARN, "updateStatus": "UpdateFailed"}, "Active", 0),
        ("Deleting", None, "Deleting", 60),  # a status Bedrock may add keeps the loop waiting
    ],
)
def test_every_deployment_status_maps_onto_the_loop(bedrock, status, update, expected, wait):
    response = {"customModelDeploymentArn": DEPLOYMENT_ARN, "modelDeploymentName": "my-endpoint", "modelArn": MODEL_ARN,
                "createdAt": "2026-01-01T00:00:00Z", "status": status, "failureMessage": "why" if expected == "Failed" else None}
    if response["failureMessage"] is None:
        del response["failureMessage"]
    if update:
        response["updateDetails"] = update
    bedrock.stub.add_response("get_custom_model_deployment", response, {"customModelDeploymentIdentifier": DEPLOYMENT_ARN})
    model = check_model(bedrock, _deploying(), POLL)
    deployment = model["deployment"]
    assert deployment["status"] == expected
    assert deployment["checks"] == 1 and deployment["waitSeconds"] == model["waitSeconds"] == wait
    assert deployment["failureMessage"] == ("why" if expected == "Failed" else None)
    assert model["modelStatus"] == "Active" and model["checks"] == 3  # the import's counters are left alone


def test_the_deployment_deadline_counts_its_own_waits(bedrock):
    bedrock.stub.add_response(
        "get_custom_model_deployment",
        {"customModelDeploymentArn": DEPLOYMENT_ARN, "modelDeploymentName": "n", "modelArn": MODEL_ARN, "createdAt": "2026-01-01T00:00:00Z", "status": "Creating"},
    )
    deployment = check_model(bedrock, _deploying(checks=4, waited=300), POLL)["deployment"]
    assert deployment["deadlineReached"] is True and deployment["waitSeconds"] == 0 and deployment["status"] == "Creating"


def test_a_check_bedrock_throttles_raises_the_retried_error(bedrock):
    bedrock.stub.add_client_error("get_custom_model_deployment", "ThrottlingException", "slow down", 429)
    with pytest.raises(BedrockThrottled):
        check_model(bedrock, _deploying(), POLL)


def test_the_deployment_polls_within_the_checks_the_import_left():
    """Both phases share MAX_CHECKS: a long import leaves its deployment fewer, longer waits."""
    long_poll = PollSettings(poll_interval_seconds=10, import_timeout_minutes=2880)
    fresh = loop.deployment_started(active_model(checks=0), long_poll, mode="on-demand", name="n", arn=DEPLOYMENT_ARN, status="Creating", model_arn=MODEL_ARN)
    late = loop.deployment_started(active_model(checks=MAX_CHECKS - 10), long_poll, mode="on-demand", name="n", arn=DEPLOYMENT_ARN, status="Creating", model_arn=MODEL_ARN)
    assert fresh["deployment"]["maxChecks"] == MAX_CHECKS and late["deployment"]["maxChecks"] == 10
    assert late["waitSeconds"] == 2880 * 60 // 10
    state = late
    while not state["deployment"]["deadlineReached"]:
        state = loop.deployment_checked(state, long_poll, status="Creating", failure_message=None)
    assert state["deployment"]["checks"] <= 10 and state["deployment"]["waitedSeconds"] == 2880 * 60


# --------------------------------------------------------------- provisioned


def test_provisioned_throughput_is_bought_without_commitment_within_the_limit(bedrock):
    bedrock.stub.add_response(
        "create_provisioned_model_throughput",
        {"provisionedModelArn": PT_ARN},
        {
            "modelUnits": 2, "provisionedModelName": "my-endpoint", "modelId": MODEL_ARN, "tags": TAGS,
            "clientRequestToken": hashlib.sha256(f"provisioned-model-throughput\n{TOKEN}".encode()).hexdigest(),
        },  # no commitmentDuration: the Stubber fails on any parameter not listed here
    )
    deployment = start_deployment(bedrock, request("provisioned", units=2), active_model(), SETTINGS)["deployment"]
    assert (deployment["mode"], deployment["arn"], deployment["status"], deployment["modelUnits"]) == ("provisioned", PT_ARN, "Creating", 2)


@pytest.mark.parametrize("limit, units", [(0, 1), (0, None), (2, 3)])
def test_the_cost_guard_is_checked_again_before_buying(bedrock, limit, units):
    settings = DeploySettings(stack_name="my-stack", max_provisioned_model_units=limit, poll=POLL)
    with pytest.raises(DeploymentRejected, match="bills hourly until it is deleted.*MaxProvisionedModelUnits"):
        start_deployment(bedrock, request("provisioned", units=units), active_model(), settings)


def test_bedrock_refusing_provisioned_throughput_is_deployment_rejected(bedrock):
    bedrock.stub.add_client_error("create_provisioned_model_throughput", "ServiceQuotaExceededException", "no model units left", 400)
    with pytest.raises(DeploymentRejected, match="no model units left.*quota"):
        start_deployment(bedrock, request("provisioned", units=1), active_model(), SETTINGS)


@pytest.mark.parametrize("status, wait", [("Creating", 60), ("Updating", 60), ("InService", 0), ("Failed", 0)])
def test_every_provisioned_throughput_status_maps_onto_the_loop(bedrock, status, wait):
    model = loop.deployment_started(active_model(), POLL, mode="provisioned", name="my-endpoint", arn=PT_ARN, status="Creating", model_arn=MODEL_ARN, model_units=1)
    bedrock.stub.add_response(
        "get_provisioned_model_throughput",
        {"modelUnits": 1, "desiredModelUnits": 1, "provisionedModelName": "my-endpoint", "provisionedModelArn": PT_ARN, "modelArn": MODEL_ARN,
         "desiredModelArn": MODEL_ARN, "foundationModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0",
         "status": status, "creationTime": "2026-01-01T00:00:00Z", "lastModifiedTime": "2026-01-01T00:00:00Z"},
        {"provisionedModelId": PT_ARN},
    )
    deployment = check_model(bedrock, model, POLL)["deployment"]
    assert deployment["status"] == status and deployment["waitSeconds"] == wait and deployment["checks"] == 1
