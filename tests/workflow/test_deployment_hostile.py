"""The deployment phase under fire, through the whole workflow on the sandbox (issue 10's hostile
pass): two imports of the same deploy.name at once, a lookup that missed the other's create, this
stack's deployment busy or Failed, a deployment or throughput deleted while the loop waits, an
update that fails while the old model keeps serving, a prompt Bedrock cannot receive. Each test
asserts what a user sees: the notification, the execution's states, the deployments in Bedrock."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from sandbox import BedrockBehaviour, Fault, Faults
from tests.workflow.flow import attempts, escrow_manifest, model_folder, states_entered
from tests.workflow.test_deployment import SMOKE, _notification

pytestmark = pytest.mark.workflow


def _make(sandbox_factory, parameters: dict[str, str] | None = None, faults: Faults | None = None, **behaviour: Any):
    bedrock = BedrockBehaviour(outcome="active", polls=2, **behaviour)
    return sandbox_factory(bedrock=bedrock, faults=faults or Faults(), parameters=parameters or {})


def _upload(sb, tmp_path: Path, name: str, **members: Any) -> None:
    sb.upload_folder(model_folder(tmp_path, name, manifest={**escrow_manifest(name), **members}))


def _execution(sb, name: str):
    return next(e for e in sb.executions() if e.input and name in json.dumps(e.input))


def _import(sb, tmp_path: Path, name: str, **members: Any):
    _upload(sb, tmp_path, name, **members)
    sb.wait_all()
    return _execution(sb, name)


# ------------------------------------------------------------------ one name, two imports


def test_two_imports_of_the_same_name_at_once_end_with_one_deployment_serving_the_later(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory)
    for name in ("nova-a", "nova-b"):
        _upload(sb, tmp_path, name, deploy={"mode": "on-demand", "name": "shared"}, smokeTest=SMOKE)
    sb.wait_all()

    bodies = {n: _notification(sb, n)[0] for n in ("nova-a", "nova-b")}
    assert [_execution(sb, n).status for n in ("nova-a", "nova-b")] == ["SUCCEEDED", "SUCCEEDED"], [
        (b["reason"], b["deployment"], b["smokeTest"]) for b in bodies.values()
    ]
    [deployment] = sb.deployments()  # one deployment, never two, never a failed second import
    assert {b["deployment"]["arn"] for b in bodies.values()} == {deployment["arn"]}
    # Whichever created it, the other waited for it to be Active and replaced the model behind it.
    [first] = [n for n, b in bodies.items() if b["deployment"]["replacedModelArn"] is None]
    [later] = [n for n in bodies if n != first]
    assert bodies[later]["deployment"]["replacedModelArn"] == bodies[first]["modelArn"]
    assert deployment["modelArn"] == bodies[later]["modelArn"] and deployment["status"] == "Active"
    assert all(b["smokeTest"]["ok"] for b in bodies.values())


def test_this_stacks_deployment_still_creating_is_waited_for_then_repointed(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory)
    old = sb.add_active_custom_model("nova-old")
    arn = sb.add_deployment("endpoint", old, tags=sb.stack_tags(), status="Creating")  # another import's, just created
    execution = _import(sb, tmp_path, "nova-new", deploy={"mode": "on-demand", "name": "endpoint"})

    assert execution.status == "SUCCEEDED"
    assert attempts(sb.history(execution.arn), "StartDeployment")[0] == "DeploymentBusy"
    body, _ = _notification(sb, "nova-new")
    assert body["deployment"] == {"mode": "on-demand", "name": "endpoint", "arn": arn, "status": "Active", "replacedModelArn": old}
    [deployment] = sb.deployments()
    assert deployment["modelArn"] == body["modelArn"]


def test_a_name_the_other_import_took_after_the_lookup_is_updated_not_refused(sandbox_factory, tmp_path):
    # The lookup answers "not found" (the other import's create had not landed yet); the create then
    # finds the name taken. That is the stable-name case, not "Bedrock refused the deployment".
    lookup = Fault("bedrock", "GetCustomModelDeployment", "ResourceNotFoundException", 404, "Could not find the deployment.", count=1)
    sb = _make(sandbox_factory, faults=Faults([lookup]))
    old = sb.add_active_custom_model("nova-old")
    arn = sb.add_deployment("endpoint", old, tags=sb.stack_tags())
    execution = _import(sb, tmp_path, "nova-new", deploy={"mode": "on-demand", "name": "endpoint"})

    assert execution.status == "SUCCEEDED" and lookup.fired == 1
    body, _ = _notification(sb, "nova-new")
    assert body["deployment"]["arn"] == arn and body["deployment"]["replacedModelArn"] == old
    assert sb.deployment_store().refusals == [("deployment-name-taken", "endpoint")]
    assert [d["modelArn"] for d in sb.deployments()] == [body["modelArn"]]


def test_a_deployment_busy_past_the_retries_fails_red_naming_the_wait_and_the_check(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory, per_model={"nova-old": BedrockBehaviour(deployment="stuck")})
    old = sb.add_active_custom_model("nova-old")
    arn = sb.add_deployment("endpoint", old, tags=sb.stack_tags(), status="Creating")
    execution = _import(sb, tmp_path, "nova-new", deploy={"mode": "on-demand", "name": "endpoint"})

    assert execution.status == "FAILED"
    assert states_entered(sb.history(execution.arn))[-1] == "ModelDeploymentFailed"
    assert attempts(sb.history(execution.arn), "StartDeployment") == ["DeploymentBusy"] * 11
    body, _ = _notification(sb, "nova-new")
    assert body["outcome"] == "ACTIVE" and body["deployment"]["status"] == "NotCreated"
    assert "DeploymentBusy" in body["reason"] and "is Creating" in body["reason"]
    assert f"get-custom-model-deployment --custom-model-deployment-identifier {arn}" in body["reason"]
    [deployment] = sb.deployments()
    assert (deployment["arn"], deployment["modelArn"]) == (arn, old)  # left as it was


def test_this_stacks_failed_deployment_is_refused_with_the_delete_command(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory)
    old = sb.add_active_custom_model("nova-old")
    arn = sb.add_deployment("endpoint", old, tags=sb.stack_tags(), status="Failed")
    execution = _import(sb, tmp_path, "nova-new", deploy={"mode": "on-demand", "name": "endpoint"})

    assert execution.status == "FAILED" and states_entered(sb.history(execution.arn))[-1] == "ModelDeploymentFailed"
    body, _ = _notification(sb, "nova-new")
    assert f"delete-custom-model-deployment --custom-model-deployment-identifier {arn}" in body["reason"]
    assert "Wait until" not in body["reason"]  # a Failed deployment never becomes Active
    assert attempts(sb.history(execution.arn), "StartDeployment") == ["DeploymentRejected"]


# ------------------------------------------------------------------ deleted while the loop waits


def test_a_provisioned_throughput_deleted_while_the_loop_waits_is_a_failed_deployment_with_nothing_to_stop(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory, {"MaxProvisionedModelUnits": "1", "ImportTimeoutMinutes": "600"}, deployment="stuck")
    _upload(sb, tmp_path, "nova-pt", deploy={"mode": "provisioned"}, smokeTest=SMOKE)
    deadline = time.monotonic() + 30
    while not sb.provisioned_throughputs():  # someone deletes it while it is still Creating
        assert time.monotonic() < deadline, "no Provisioned Throughput was created"
        time.sleep(0.005)
    [throughput] = sb.provisioned_throughputs()
    sb._client("bedrock").delete_provisioned_model_throughput(provisionedModelId=throughput["arn"])
    sb.wait_all()
    execution = _execution(sb, "nova-pt")

    assert execution.status == "FAILED"
    states = states_entered(sb.history(execution.arn))
    assert states[-4:] == ["RecordDeploymentFailure", "PublishResult", "RouteOnOutcome", "ModelDeploymentFailed"]
    assert "IsModelAlreadyActive" not in states and "RunSmokeTest" not in states
    body, message = _notification(sb, "nova-pt")
    assert body["outcome"] == "ACTIVE" and body["modelStatus"] == "Active"
    assert body["deployment"]["status"] == "Failed" and message.attributes["deploymentStatus"] == "Failed"
    assert f"{throughput['arn']}) no longer exists: it was deleted while the workflow waited" in body["reason"]
    assert "delete-provisioned-model-throughput" not in body["reason"]  # nothing is left to stop
    assert sb.provisioned_throughputs() == []


def test_an_on_demand_deployment_gone_while_the_loop_waits_is_a_failed_deployment_not_an_error(sandbox_factory, tmp_path):
    # The emulator refuses to delete a deployment still Creating (as AWS's ConflictException allows);
    # a lookup answering ResourceNotFoundException stands for whatever made it go away.
    gone = Fault("bedrock", "GetCustomModelDeployment", "ResourceNotFoundException", 404, "Could not find the deployment.", skip=1)
    sb = _make(sandbox_factory, faults=Faults([gone]))
    execution = _import(sb, tmp_path, "nova-od", deploy={"mode": "on-demand"})

    assert execution.status == "FAILED" and states_entered(sb.history(execution.arn))[-1] == "ModelDeploymentFailed"
    body, message = _notification(sb, "nova-od")
    assert body["outcome"] == "ACTIVE" and message.attributes["deploymentStatus"] == "Failed"
    assert "no longer exists" in body["reason"] and "ResourceNotFoundException" in body["reason"]
    assert "AwsCallFailed" not in body["reason"]


# ------------------------------------------------------------------ the stable name's update fails


def test_an_update_that_fails_says_the_deployment_still_serves_the_previous_model(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory, per_model={"nova-v2": BedrockBehaviour(deployment="failed")})
    _import(sb, tmp_path, "nova-v1", deploy={"mode": "on-demand", "name": "stable"})
    first, _ = _notification(sb, "nova-v1")
    execution = _import(sb, tmp_path, "nova-v2", deploy={"mode": "on-demand", "name": "stable"}, smokeTest=SMOKE)

    assert execution.status == "FAILED" and states_entered(sb.history(execution.arn))[-1] == "ModelDeploymentFailed"
    body, message = _notification(sb, "nova-v2")
    assert body["outcome"] == "ACTIVE" and body["smokeTest"] is None
    assert body["deployment"]["status"] == "Failed" and body["deployment"]["replacedModelArn"] == first["modelArn"]
    assert "updating its on-demand deployment stable" in body["reason"]
    assert body["reason"].endswith(f"The deployment still serves the previous model {first['modelArn']}")
    [deployment] = sb.deployments()  # what the notification says: still Active, still the first model
    assert (deployment["status"], deployment["modelArn"]) == ("Active", first["modelArn"])


# ------------------------------------------------------------------ prompts


@pytest.mark.parametrize(
    "prompt",
    ["tab\tnew line\nbell\x07 nul\x00 escape\x1b[31m", "😀" * 4000, "e\u0301" * 2000, "\u202eright to left"],
    ids=["control characters", "4,000 emoji", "combining marks", "bidi override"],
)
def test_any_unicode_prompt_up_to_4000_characters_reaches_the_model(sandbox_factory, tmp_path, prompt):
    sb = _make(sandbox_factory)
    execution = _import(sb, tmp_path, "nova-p", deploy={"mode": "on-demand"}, smokeTest={"prompt": prompt, "maxTokens": 8})

    assert execution.status == "SUCCEEDED"
    body, _ = _notification(sb, "nova-p")
    assert body["smokeTest"]["ok"] is True and 0 < len(body["smokeTest"]["outputPreview"]) <= 200


def test_a_prompt_with_half_a_surrogate_pair_is_rejected_before_anything_is_made(sandbox_factory, tmp_path):
    # JSON can escape half an emoji ("\ud83d" alone): no Unicode text, and no SDK can send it.
    sb = _make(sandbox_factory)
    execution = _import(sb, tmp_path, "nova-s", deploy={"mode": "on-demand"}, smokeTest={"prompt": "hi \ud83d there"})

    assert execution.status == "FAILED" and states_entered(sb.history(execution.arn))[-1] == "ModelImportRejected"
    body, _ = _notification(sb, "nova-s")
    assert body["outcome"] == "REJECTED" and '"smokeTest" "prompt" holds an unpaired surrogate (\\ud83d at character 4)' in body["reason"]
    assert sb.models() == [] and sb.deployments() == []  # rejected before the import: nothing made, nothing billed


def test_an_update_still_running_at_the_deadline_says_the_previous_model_serves_meanwhile(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory, {"ImportTimeoutMinutes": "5"}, per_model={"nova-v2": BedrockBehaviour(deployment="stuck")})
    _import(sb, tmp_path, "nova-v1", deploy={"mode": "on-demand", "name": "stable"})
    first, _ = _notification(sb, "nova-v1")
    execution = _import(sb, tmp_path, "nova-v2", deploy={"mode": "on-demand", "name": "stable"})

    assert execution.status == "FAILED" and states_entered(sb.history(execution.arn))[-1] == "ModelDeploymentTimedOut"
    body, message = _notification(sb, "nova-v2")
    assert body["deployment"]["status"] == "Updating" and message.attributes["deploymentStatus"] == "Updating"
    assert f"get-custom-model-deployment --custom-model-deployment-identifier {first['deployment']['arn']}" in body["reason"]
    assert body["reason"].endswith(f"until the update completes it serves the previous model {first['modelArn']}")
    [deployment] = sb.deployments()  # nothing deleted or rolled back
    assert deployment["modelArn"] == first["modelArn"]


# ------------------------------------------------------------------ delivered twice, answers lost


def test_the_same_upload_delivered_twice_makes_one_deployment_and_one_notification(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory)
    folder = model_folder(tmp_path, "nova-dup", manifest={**escrow_manifest("nova-dup"), "deploy": {"mode": "on-demand"}, "smokeTest": SMOKE})
    sb.upload_folder(folder, repeat=2)
    executions = sb.wait_all()

    assert len(executions) == 2 and {e.status for e in executions} == {"SUCCEEDED"}
    assert sorted(states_entered(sb.history(e.arn))[-1] for e in executions) == ["IgnoreDuplicateDelivery", "ModelImportSucceeded"]
    assert [m.body["outcome"] for m in sb.messages()] == ["ACTIVE"]
    assert sb.deployment_store().created == ["nova-dup"] and len(sb.deployments()) == 1
    assert len(sb.runtime_store().answered) == 1  # one smoke test call, not two


@pytest.mark.parametrize(
    "make_fault",
    [
        lambda: Fault("bedrock", "CreateCustomModelDeployment", "InternalServerException", 500, "oops", count=1, after_call=True),
        lambda: Fault("lambda", "DeployModelFunction", "Lambda.ServiceException", crash=True, after_handler=True, count=1),
    ],
    ids=["create served, answer lost", "DeployModel ran, its result lost"],
)
def test_start_deployment_retried_after_its_create_was_served_makes_one_deployment(sandbox_factory, tmp_path, make_fault):
    fault = make_fault()  # a fresh counter for each run
    sb = _make(sandbox_factory, faults=Faults([fault]))
    execution = _import(sb, tmp_path, "nova-lost", deploy={"mode": "on-demand"}, smokeTest=SMOKE)

    assert execution.status == "SUCCEEDED" and fault.fired == 1
    assert len(attempts(sb.history(execution.arn), "StartDeployment")) == 2
    [deployment] = sb.deployments()
    body, _ = _notification(sb, "nova-lost")
    assert body["deployment"]["arn"] == deployment["arn"] and body["deployment"]["replacedModelArn"] is None
    assert sb.deployment_store().created == ["nova-lost"]


def test_provisioned_throughput_retried_after_its_create_was_served_is_bought_once(sandbox_factory, tmp_path):
    lost = Fault("bedrock", "CreateProvisionedModelThroughput", "InternalServerException", 500, "oops", count=1, after_call=True)
    sb = _make(sandbox_factory, {"MaxProvisionedModelUnits": "1"}, faults=Faults([lost]))
    execution = _import(sb, tmp_path, "nova-ptl", deploy={"mode": "provisioned"})

    assert execution.status == "SUCCEEDED" and lost.fired == 1
    [throughput] = sb.provisioned_throughputs()  # the retry's clientRequestToken returned the first one
    assert sb.throughput_store().replays == ["nova-ptl"]
    assert _notification(sb, "nova-ptl")[0]["deployment"]["arn"] == throughput["arn"]


# ------------------------------------------------------------------ long Bedrock messages


def test_bedrock_never_answers_a_failure_message_over_its_2048_characters():
    with pytest.raises(ValueError, match="at most 2000 characters"):
        BedrockBehaviour(deployment_failure_message="x" * 2001)


@pytest.mark.parametrize("mode", ["on-demand", "provisioned"])
def test_the_longest_failure_message_is_reported_whole_within_the_notifications_limits(sandbox_factory, tmp_path, mode):
    failure = "é" * 1999 + "."  # multibyte, the longest the emulator answers (Bedrock's ErrorMessage: 2,048)
    sb = _make(sandbox_factory, {"MaxProvisionedModelUnits": "1"}, deployment="failed", deployment_failure_message=failure)
    long_name = "nova-" + "x" * 58  # the longest model name
    execution = _import(sb, tmp_path, long_name, deploy={"mode": mode})

    assert execution.status == "FAILED"
    body, message = _notification(sb, long_name)
    assert failure.rstrip(".") in body["reason"] and body["deployment"]["status"] == "Failed"
    assert len(message.subject) <= 100 and message.subject.endswith("deployment FAILED)")
    assert all(len(v) <= 256 for v in message.attributes.values())
    assert len(json.dumps(body).encode()) < 16 * 1024  # far inside SNS's 256 KB


# ------------------------------------------------------------------ stack defaults


def test_a_registry_approval_takes_the_stacks_deployment_and_smoke_test_defaults(sandbox_factory):
    from tests.workflow.test_model_registry import GROUP, SAMPLE

    parameters = {"ModelPackageGroupNames": GROUP, "DeployAfterImport": "on-demand", "SmokeTestPrompt": "Say hello."}
    sb = _make(sandbox_factory, parameters)
    sb.put_event(SAMPLE)
    [execution] = sb.wait_all()

    assert execution.status == "SUCCEEDED"
    body, message = _notification(sb, "nova-sft-approved-v1")
    [deployment] = sb.deployments()
    assert body["deployment"]["arn"] == deployment["arn"] and deployment["name"] == "nova-sft-approved-v1"
    assert body["smokeTest"]["ok"] is True and body["smokeTest"]["modelId"] == deployment["arn"]
    assert "(deployed on demand)" in message.subject


def test_a_stack_defaulting_to_provisioned_buys_nothing_for_open_weights(sandbox_factory, tmp_path):
    sb = _make(sandbox_factory, {"DeployAfterImport": "provisioned", "MaxProvisionedModelUnits": "1", "SmokeTestPrompt": "Hi."})
    demo = Path(__file__).resolve().parents[2] / "examples" / "open-weights-demo"
    files = {p.name: p.read_bytes() for p in demo.iterdir() if p.name != "manifest.json"}
    sb.upload_folder(model_folder(tmp_path, "ow-default", manifest={}, files=files))
    [execution] = sb.wait_all()

    assert execution.status == "SUCCEEDED" and "StartDeployment" not in states_entered(sb.history(execution.arn))
    body, message = _notification(sb, "ow-default")
    assert body["deployment"] is None and "deploymentStatus" not in message.attributes and "billed" not in message.subject
    assert body["smokeTest"]["ok"] is True and body["smokeTest"]["modelId"] == body["modelArn"]
    assert sb.provisioned_throughputs() == []
