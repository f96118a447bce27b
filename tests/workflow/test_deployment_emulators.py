"""The emulated Bedrock after Active, driven with boto3 in a sandbox: custom model deployments,
Provisioned Throughput, tags, and bedrock-runtime's Converse and InvokeModel. Each rule
(bedrock_contract.AFTER_ACTIVE_RULES) is refused with the code a caller gets from AWS; case ids
start with the rule's stable id (tests/unit/test_validator_covers_emulator_rules.py pairs each
with the workflow's handling)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sandbox import BedrockBehaviour, Sandbox
from sandbox.bedrock_contract import AFTER_ACTIVE_RULES
from sandbox.cli import main
from sandbox.quotas import Quotas
from sandbox.runtime import completion

pytestmark = pytest.mark.workflow

ACCOUNT = "123456789012"
REGION = "us-east-1"
UNKNOWN_MODEL = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/imported/abcdefghijkl"
WEIGHTS_BUCKET = "open-weights-source"
NOVA_BODY = {"messages": [{"role": "user", "content": [{"text": "Say hello"}]}], "inferenceConfig": {"maxTokens": 5}}


def _bedrock() -> Any:
    # botocore's own checks off: the emulated service, not the client, must refuse
    return boto3.client("bedrock", region_name=REGION, config=Config(parameter_validation=False))


def _runtime() -> Any:
    # one attempt: botocore retries ModelNotReadyException (HTTP 429) on its own
    return boto3.client("bedrock-runtime", region_name=REGION, config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))


def _error(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _imported(sb: Sandbox, name: str, *, model_type: str = "llama", chat_template: bool = False) -> str:
    """An imported model, through CreateModelImportJob as a user makes one; its ARN."""
    s3 = boto3.client("s3", region_name=REGION)
    if WEIGHTS_BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=WEIGHTS_BUCKET)
    s3.put_object(Bucket=WEIGHTS_BUCKET, Key=f"{name}/config.json", Body=json.dumps({"model_type": model_type}).encode())
    tokenizer = {"chat_template": "{% for m in messages %}{{ m.content }}{% endfor %}"} if chat_template else {}
    s3.put_object(Bucket=WEIGHTS_BUCKET, Key=f"{name}/tokenizer_config.json", Body=json.dumps(tokenizer).encode())
    s3.put_object(Bucket=WEIGHTS_BUCKET, Key=f"{name}/model.safetensors", Body=b"weights")
    bedrock = boto3.client("bedrock", region_name=REGION)
    job = bedrock.create_model_import_job(
        jobName=f"job-{name}", importedModelName=name, roleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
        modelDataSource={"s3DataSource": {"s3Uri": f"s3://{WEIGHTS_BUCKET}/{name}/"}},
    )["jobArn"]  # fmt: skip
    for _ in range(sb.behaviour.polls):
        described = bedrock.get_model_import_job(jobIdentifier=job)
    return described["importedModelArn"]


def _deployed(sb: Sandbox, name: str = "stable", model: str = "m1") -> tuple[str, str]:
    """(deployment ARN, model ARN): an Active custom model deployed, polled until Active."""
    model_arn = sb.add_active_custom_model(model)
    bedrock = boto3.client("bedrock", region_name=REGION)
    arn = bedrock.create_custom_model_deployment(modelDeploymentName=name, modelArn=model_arn)["customModelDeploymentArn"]
    for _ in range(sb.behaviour.polls):
        bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn)
    return arn, model_arn


def _provisioned(sb: Sandbox, name: str = "pt", model: str = "m1", units: int = 1, poll: bool = True) -> str:
    model_arn = sb.add_active_custom_model(model)
    bedrock = boto3.client("bedrock", region_name=REGION)
    arn = bedrock.create_provisioned_model_throughput(provisionedModelName=name, modelId=model_arn, modelUnits=units)["provisionedModelArn"]
    for _ in range(sb.behaviour.polls if poll else 0):
        bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
    return arn


@dataclass
class Case:
    id: str
    call: Callable[[Sandbox], Any]
    code: str
    status: int


def _create_deployment(model_arn: str, name: str = "d", **extra: Any) -> Any:
    return _bedrock().create_custom_model_deployment(modelDeploymentName=name, modelArn=model_arn, **extra)


def _creating_model(sb: Sandbox) -> str:
    """A custom model just created: still Creating (its first GetCustomModel has not happened)."""
    _stage_escrow()
    return boto3.client("bedrock", region_name=REGION).create_custom_model(
        modelName="fresh", roleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
        modelSourceConfig={"s3DataSource": {"s3Uri": f"s3://customer-escrow-{ACCOUNT}-smtj-abc/job/"}},
    )["modelArn"]  # fmt: skip


def _stage_escrow() -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=f"customer-escrow-{ACCOUNT}-smtj-abc")
    s3.put_object(Bucket=f"customer-escrow-{ACCOUNT}-smtj-abc", Key="job/model.safetensors", Body=b"weights")


def _twice(first: Callable[[], Any], second: Callable[[], Any]) -> Any:
    first()
    return second()


def _update_twice(sb: Sandbox) -> Any:
    arn, _ = _deployed(sb)
    other = sb.add_active_custom_model("m2")
    _bedrock().update_custom_model_deployment(customModelDeploymentIdentifier=arn, modelArn=other)
    return _bedrock().update_custom_model_deployment(customModelDeploymentIdentifier=arn, modelArn=other)


def _invoke(model_id: str, body: Any = None) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(NOVA_BODY if body is None else body).encode()
    return _runtime().invoke_model(modelId=model_id, body=raw)


def _converse(model_id: str) -> Any:
    return _runtime().converse(modelId=model_id, messages=[{"role": "user", "content": [{"text": "Say hello"}]}])


def _failed_deployment(sb: Sandbox) -> str:
    model = sb.add_active_custom_model("m1")
    return sb.add_deployment("broken", model, status="Failed")


CASES: list[Case] = [
    Case("deployment-model-exists/create", lambda sb: _create_deployment(UNKNOWN_MODEL), "ResourceNotFoundException", 404),
    Case("deployment-model-exists/update", lambda sb: _bedrock().update_custom_model_deployment(
        customModelDeploymentIdentifier=_deployed(sb)[0], modelArn=UNKNOWN_MODEL), "ResourceNotFoundException", 404),
    Case("deployment-model-active/creating", lambda sb: _create_deployment(_creating_model(sb)), "ValidationException", 400),
    Case("deployment-name-taken/second", lambda sb: _twice(
        lambda: _create_deployment(sb.add_active_custom_model("m1"), clientRequestToken="one"),
        lambda: _create_deployment(sb.add_active_custom_model("m2"), clientRequestToken="two")), "ValidationException", 400),
    Case("update-deployment-active/creating", lambda sb: _bedrock().update_custom_model_deployment(
        customModelDeploymentIdentifier=_create_deployment(sb.add_active_custom_model("m1"))["customModelDeploymentArn"],
        modelArn=sb.add_active_custom_model("m2")), "ValidationException", 400),
    Case("update-deployment-active/updating", _update_twice, "ValidationException", 400),
    Case("deployment-busy/creating", lambda sb: _bedrock().delete_custom_model_deployment(
        customModelDeploymentIdentifier=_create_deployment(sb.add_active_custom_model("m1"))["customModelDeploymentArn"]),
        "ConflictException", 409),
    Case("throughput-model-exists/unknown", lambda sb: _bedrock().create_provisioned_model_throughput(
        provisionedModelName="pt", modelId=UNKNOWN_MODEL, modelUnits=1), "ResourceNotFoundException", 404),
    Case("throughput-model-active/creating", lambda sb: _bedrock().create_provisioned_model_throughput(
        provisionedModelName="pt", modelId=_creating_model(sb), modelUnits=1), "ValidationException", 400),
    Case("throughput-foundation-model/nova", lambda sb: _bedrock().create_provisioned_model_throughput(
        provisionedModelName="pt", modelId="amazon.nova-micro-v1:0", modelUnits=1), "ValidationException", 400),
    Case("throughput-name-taken/second", lambda sb: _twice(
        lambda: _provisioned(sb, model="m1", poll=False),
        lambda: _provisioned(sb, model="m2", poll=False)), "ValidationException", 400),
    Case("model-units-quota/over", lambda sb: _twice(
        lambda: setattr(sb.behaviour.quotas, "model_units", 2),
        lambda: _twice(lambda: _provisioned(sb, "a", "m1", poll=False), lambda: _provisioned(sb, "b", "m2", units=2, poll=False))),
        "ServiceQuotaExceededException", 400),
    Case("model-units-quota/default-one-unit-without-commitment", lambda sb: _provisioned(sb, units=2, poll=False),
         "ServiceQuotaExceededException", 400),
    Case("model-units-quota/default-two-throughputs-without-commitment", lambda sb: _twice(
        lambda: _twice(lambda: _provisioned(sb, "a", "m1", poll=False), lambda: _provisioned(sb, "b", "m2", poll=False)),
        lambda: _provisioned(sb, "c", "m3", poll=False)), "ServiceQuotaExceededException", 400),
    Case("model-units-quota/default-none-with-commitment", lambda sb: _bedrock().create_provisioned_model_throughput(
        provisionedModelName="pt", modelId=sb.add_active_custom_model("m1"), modelUnits=1, commitmentDuration="OneMonth"),
        "ServiceQuotaExceededException", 400),
    Case("invoke-custom-model/nova-arn", lambda sb: _converse(
        f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/amazon.nova-micro-v1/abcdefghijkl"), "ValidationException", 400),
    Case("invoke-unknown-model/deployment", lambda sb: _converse(
        f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model-deployment/abcdefghijkl"), "ResourceNotFoundException", 404),
    Case("invoke-unknown-model/throughput", lambda sb: _invoke(
        f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/abcdefghijkl"), "ResourceNotFoundException", 404),
    Case("invoke-unknown-model/imported", lambda sb: _invoke(
        f"arn:aws:bedrock:{REGION}:{ACCOUNT}:imported-model/abcdefghijkl", {"prompt": "hi"}), "ResourceNotFoundException", 404),
    Case("invoke-foundation-model/nova", lambda sb: _converse("amazon.nova-micro-v1:0"), "ValidationException", 400),
    Case("invoke-not-ready/deployment-creating", lambda sb: _converse(
        _create_deployment(sb.add_active_custom_model("m1"))["customModelDeploymentArn"]), "ValidationException", 400),
    Case("invoke-not-ready/deployment-failed", lambda sb: _converse(_failed_deployment(sb)), "ValidationException", 400),
    Case("invoke-not-ready/throughput-creating", lambda sb: _converse(_provisioned(sb, poll=False)), "ValidationException", 400),
    Case("invoke-body-format/not-json", lambda sb: _invoke(_deployed(sb)[0], b"Say hello"), "ValidationException", 400),
    Case("invoke-body-format/nova-without-messages", lambda sb: _invoke(_deployed(sb)[0], {"prompt": "Say hello"}), "ValidationException", 400),
    Case("invoke-body-format/llama-given-messages", lambda sb: _invoke(_imported(sb, "llama-m"), NOVA_BODY), "ValidationException", 400),
    Case("converse-needs-chat-template/imported", lambda sb: _converse(_imported(sb, "base-m")), "ValidationException", 400),
]  # fmt: skip


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory(bedrock=BedrockBehaviour(polls=2))


def _refused_rules(sb: Sandbox) -> list[str]:
    stores = (sb.deployment_store(), sb.throughput_store(), sb.runtime_store())
    return [rule for store in stores for rule, _ in store.refusals]


def test_every_after_active_rule_has_a_case() -> None:
    assert {case.id.split("/")[0] for case in CASES} == {rule.id for rule in AFTER_ACTIVE_RULES}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_request_breaking_a_rule_is_refused_with_the_code_aws_uses(sandbox: Sandbox, case: Case) -> None:
    code, message, status = _error(lambda: case.call(sandbox))

    assert (code, status) == (case.code, case.status), message
    assert _refused_rules(sandbox) == [case.id.split("/")[0]]
    assert message and "Traceback" not in message


def test_requests_are_validated_against_botocores_service_models_first(sandbox: Sandbox) -> None:
    model = sandbox.add_active_custom_model("m1")
    code, message, _ = _error(lambda: _create_deployment(model, name="bad--name"))
    assert code == "ValidationException" and "at 'modelDeploymentName'" in message
    code, message, _ = _error(lambda: _create_deployment(f"arn:aws:bedrock:{REGION}:{ACCOUNT}:imported-model/abcdefghijkl"))
    assert code == "ValidationException" and "at 'modelArn'" in message  # an imported model has no deployment
    code, message, _ = _error(lambda: _bedrock().create_provisioned_model_throughput(provisionedModelName="pt", modelId=model, modelUnits=0))
    assert code == "ValidationException" and "at 'modelUnits'" in message
    code, message, _ = _error(lambda: _converse(model))  # a custom model's own ARN is not an invocable model id
    assert code == "ValidationException" and "at 'modelId'" in message
    assert sandbox.deployments() == []


def test_a_deployment_becomes_active_on_the_nth_check_and_answers_deterministically(sandbox: Sandbox) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    model = sandbox.add_active_custom_model("nova-sft", tags=sandbox.stack_tags())
    arn = bedrock.create_custom_model_deployment(modelDeploymentName="support-bot", modelArn=model,
                                                 tags=[{"key": "model-import:stack", "value": "model-import-sandbox"}],
                                                 clientRequestToken="t1")["customModelDeploymentArn"]  # fmt: skip
    checks = [bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=i)["status"] for i in (arn, "support-bot", arn)]
    answer = _runtime().converse(modelId=arn, messages=[{"role": "user", "content": [{"text": "Say hello"}]}], inferenceConfig={"maxTokens": 3})
    again = _runtime().converse(modelId=arn, messages=[{"role": "user", "content": [{"text": "Say hello"}]}], inferenceConfig={"maxTokens": 3})
    invoked = json.loads(_invoke(arn)["body"].read())

    assert arn.startswith(f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model-deployment/") and len(arn.rsplit("/", 1)[1]) == 12
    assert checks == ["Creating", "Active", "Active"]
    text = answer["output"]["message"]["content"][0]["text"]
    assert 0 < len(text.split()) <= 3 and answer["output"]["message"]["role"] == "assistant"
    assert again["output"] == answer["output"] and answer["stopReason"] in ("end_turn", "max_tokens")
    assert set(answer["usage"]) == {"inputTokens", "outputTokens", "totalTokens"} and "latencyMs" in answer["metrics"]
    assert invoked["output"]["message"]["content"][0]["text"] == completion("nova-sft", "Say hello", 5)[0]
    assert bedrock.list_tags_for_resource(resourceARN=arn)["tags"] == [{"key": "model-import:stack", "value": "model-import-sandbox"}]
    assert bedrock.list_tags_for_resource(resourceARN=model)["tags"] == [{"key": "model-import:stack", "value": "model-import-sandbox"}]
    # the same clientRequestToken: the first call's deployment, no second one
    assert bedrock.create_custom_model_deployment(modelDeploymentName="support-bot", modelArn=model, clientRequestToken="t1")["customModelDeploymentArn"] == arn
    assert sandbox.deployments() == [{"mode": "on-demand", "name": "support-bot", "arn": arn, "status": "Active", "modelArn": model, "modelUnits": None}]


def test_an_update_serves_the_old_model_while_updating_then_the_new_one(sandbox: Sandbox) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    arn, old = _deployed(sandbox, "stable", "v1")
    new = sandbox.add_active_custom_model("v2")
    assert bedrock.update_custom_model_deployment(customModelDeploymentIdentifier="stable", modelArn=new)["customModelDeploymentArn"] == arn

    during = bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn)
    served_during = _converse(arn)["output"]["message"]["content"][0]["text"]
    after = bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn)
    served_after = _converse(arn)["output"]["message"]["content"][0]["text"]

    assert (during["status"], during["modelArn"], during["updateDetails"]) == ("Active", old, {"modelArn": new, "updateStatus": "Updating"})
    assert (after["status"], after["modelArn"], after["updateDetails"]) == ("Active", new, {"modelArn": new, "updateStatus": "UpdateCompleted"})
    assert served_during == completion("v1", "Say hello", None)[0] and served_after == completion("v2", "Say hello", None)[0]


def test_a_failed_update_keeps_the_old_model(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(polls=1, per_model={"v2": BedrockBehaviour(polls=1, deployment="failed")}))
    bedrock = boto3.client("bedrock", region_name=REGION)
    arn, old = _deployed(sb, "stable", "v1")
    bedrock.update_custom_model_deployment(customModelDeploymentIdentifier=arn, modelArn=sb.add_active_custom_model("v2"))
    after = bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn)

    assert (after["status"], after["modelArn"], after["updateDetails"]["updateStatus"]) == ("Active", old, "UpdateFailed")
    assert "on-demand" in after["failureMessage"]


@pytest.mark.parametrize(("outcome", "statuses"), [("failed", ["Creating", "Failed", "Failed"]), ("stuck", ["Creating"] * 3)])
def test_deployment_behaviours(sandbox_factory: Callable[..., Sandbox], outcome: str, statuses: list[str]) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(polls=2, deployment=outcome, deployment_failure_message="Model not eligible for on-demand."))
    bedrock = boto3.client("bedrock", region_name=REGION)
    arn = _create_deployment(sb.add_active_custom_model("m1"))["customModelDeploymentArn"]
    checks = [bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn) for _ in range(3)]

    assert [c["status"] for c in checks] == statuses
    assert checks[-1].get("failureMessage") == ("Model not eligible for on-demand." if outcome == "failed" else None)
    assert _error(lambda: _converse(arn))[0] == "ValidationException"


@pytest.mark.parametrize("commitment", [None, "OneMonth"], ids=["no-commitment", "one-month"])
def test_provisioned_throughput_goes_in_service_answers_and_is_deleted(sandbox: Sandbox, commitment: str | None) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    sandbox.behaviour.quotas.model_units = 2  # granted by AWS Support: the defaults allow 1 unit, and none with a commitment
    model = sandbox.add_active_custom_model("m1")
    extra = {"commitmentDuration": commitment} if commitment else {}
    arn = bedrock.create_provisioned_model_throughput(provisionedModelName="pt", modelId=model, modelUnits=2,
                                                      tags=[{"key": "team", "value": "ml"}], **extra)["provisionedModelArn"]  # fmt: skip
    statuses = [bedrock.get_provisioned_model_throughput(provisionedModelId=i)["status"] for i in (arn, "pt")]
    described = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
    answer = _converse(arn)
    listed = sandbox.deployments()
    bedrock.tag_resource(resourceARN=arn, tags=[{"key": "owner", "value": "me"}])
    bedrock.untag_resource(resourceARN=arn, tagKeys=["team"])
    tags = bedrock.list_tags_for_resource(resourceARN=arn)["tags"]
    bedrock.delete_provisioned_model_throughput(provisionedModelId=arn)

    assert arn.startswith(f"arn:aws:bedrock:{REGION}:{ACCOUNT}:provisioned-model/") and statuses == ["Creating", "InService"]
    assert described["modelArn"] == model and described["modelUnits"] == 2
    assert described.get("commitmentDuration") == commitment and ("commitmentExpirationTime" in described) == bool(commitment)
    assert answer["output"]["message"]["content"][0]["text"] == completion("m1", "Say hello", None)[0]
    assert listed == [{"mode": "provisioned", "name": "pt", "arn": arn, "status": "InService", "modelArn": model, "modelUnits": 2}]
    assert tags == [{"key": "owner", "value": "me"}]
    assert sandbox.deployments() == []


def test_a_failed_provisioned_throughput_has_a_failure_message(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(polls=1, deployment="failed"))
    arn = _provisioned(sb, poll=False)
    described = boto3.client("bedrock", region_name=REGION).get_provisioned_model_throughput(provisionedModelId=arn)

    assert described["status"] == "Failed" and described["failureMessage"]


def test_model_units_within_the_quota_are_sold(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(quotas=Quotas(model_units=3)))
    _provisioned(sb, "a", "m1", units=1, poll=False)
    _provisioned(sb, "b", "m2", units=2, poll=False)

    assert [d["modelUnits"] for d in sb.provisioned_throughputs()] == [1, 2]


@pytest.mark.parametrize(
    ("model_type", "body", "key"),
    [("llama", {"prompt": "Say hello", "max_gen_len": 4}, "generation"), ("qwen2", {"prompt": "Say hello", "max_tokens": 4}, "choices")],
)
def test_an_imported_model_answers_invoke_model_in_its_architectures_format(sandbox: Sandbox, model_type: str, body: dict[str, Any], key: str) -> None:
    arn = _imported(sandbox, f"{model_type}-m", model_type=model_type)
    described = boto3.client("bedrock", region_name=REGION).get_imported_model(modelIdentifier=arn)
    answer = json.loads(_invoke(arn, body)["body"].read())

    assert (described["modelArchitecture"], described["instructSupported"]) == (model_type, False)
    text = answer["generation"] if key == "generation" else answer["choices"][0]["text"]
    assert text == completion(f"{model_type}-m", "Say hello", 4)[0] and len(text.split()) <= 4


def test_an_imported_model_with_a_chat_template_answers_converse(sandbox: Sandbox) -> None:
    arn = _imported(sandbox, "chat-m", chat_template=True)

    assert boto3.client("bedrock", region_name=REGION).get_imported_model(modelIdentifier=arn)["instructSupported"] is True
    assert _converse(arn)["output"]["message"]["content"][0]["text"] == completion("chat-m", "Say hello", None)[0]


def test_a_warming_model_answers_model_not_ready_the_first_n_times(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(polls=1, warmup=2))
    arn = _imported(sb, "warm-m")
    first, second = (_error(lambda: _invoke(arn, {"prompt": "hi"})) for _ in range(2))

    assert first[::2] == second[::2] == ("ModelNotReadyException", 429)
    assert "generation" in json.loads(_invoke(arn, {"prompt": "hi"})["body"].read())


def test_a_failing_model_answers_model_error(sandbox_factory: Callable[..., Sandbox]) -> None:
    sb = sandbox_factory(bedrock=BedrockBehaviour(polls=1, per_model={"bad": BedrockBehaviour(polls=1, invoke="error")}))
    arn, _ = _deployed(sb, "d", "bad")
    with pytest.raises(ClientError) as caught:
        _converse(arn)

    assert caught.value.response["Error"]["Code"] == "ModelErrorException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert caught.value.response["resourceName"] == arn and caught.value.response["originalStatusCode"] == 500
    assert _converse(_deployed(sb, "good", "fine")[0])["output"]  # per model: another still answers


def test_a_deployment_not_of_this_stack_can_be_told_by_its_tags(sandbox: Sandbox) -> None:
    mine = sandbox.add_deployment("mine", sandbox.add_active_custom_model("m1"), tags=sandbox.stack_tags())
    theirs = sandbox.add_deployment("theirs", sandbox.add_active_custom_model("m2"), tags={"team": "other"})
    bedrock = boto3.client("bedrock", region_name=REGION)

    assert bedrock.list_tags_for_resource(resourceARN=mine)["tags"] == [{"key": "model-import:stack", "value": sandbox.stack.name}]
    assert bedrock.list_tags_for_resource(resourceARN=theirs)["tags"] == [{"key": "team", "value": "other"}]
    assert [d["status"] for d in sandbox.deployments()] == ["Active", "Active"]


def test_tags_of_an_unknown_resource_are_not_found(sandbox: Sandbox) -> None:
    code, _, status = _error(lambda: _bedrock().list_tags_for_resource(resourceARN=f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model-deployment/abcdefghijkl"))

    assert (code, status) == ("ResourceNotFoundException", 404)


def run(*args: str) -> tuple[int, str, str]:
    return cli("run", *args)


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(args), stdout=out, stderr=err), out.getvalue(), err.getvalue()


SAMPLE = "examples/nova-micro-demo"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--deployment", "slow"], "--deployment: invalid choice: 'slow'"),
        (["--warmup", "-1"], "--warmup: must be at least 0, got -1"),
        (["--warmup", "two"], "--warmup: must be a whole number, got 'two'"),
        (["--invoke", "maybe"], "--invoke: invalid choice: 'maybe'"),
        (["--quota", "model-units=0"], "--quota: model-units must be at least 1, got 0"),
        (["--parameter", "NoSuchThing=1"], "--parameter NoSuchThing: template.yaml has no such parameter; it has "),
        (["--parameter", "PollIntervalSeconds=5"], "--parameter PollIntervalSeconds=5: must be at least 10"),
        (["--parameter", "LogRetentionDays=2"], "--parameter LogRetentionDays=2: must be one of 1, 3, 5"),
        (["--parameter", "NotificationEmail=nope"], "--parameter NotificationEmail=nope: must match"),
        (["--parameter", "novalue"], "--parameter: takes Key=Value"),
        (["--parameter", "PollIntervalSeconds=30", "--parameter", "PollIntervalSeconds=40"], "--parameter PollIntervalSeconds is given twice"),
    ],
    ids=["deployment-choice", "warmup-negative", "warmup-word", "invoke-choice", "quota-model-units", "parameter-unknown",
         "parameter-below-min", "parameter-not-allowed", "parameter-pattern", "parameter-no-equals", "parameter-twice"],
)  # fmt: skip
def test_bad_after_active_options_exit_2_with_one_line(args: list[str], message: str) -> None:
    code, out, err = run("--artifacts", SAMPLE, *args)

    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("python -m sandbox: error: ") and message in err, err


def test_unknown_parameter_names_the_templates_parameters() -> None:
    _, _, err = run("--artifacts", SAMPLE, "--parameter", "Nope=1")

    assert "ImportTimeoutMinutes" in err and "PollIntervalSeconds" in err


def test_run_takes_the_new_options_and_passes_parameters_to_the_stack() -> None:
    code, out, err = run("--artifacts", SAMPLE, "--deployment", "failed", "--warmup", "2", "--invoke", "error",
                         "--quota", "model-units=1", "--parameter", "DefaultTags=cost-center=4711", "--json")  # fmt: skip
    document = json.loads(out)

    assert code == 0, err
    assert document["deployments"] == []  # the import alone deploys nothing
    assert document["notifications"][0]["outcome"] == "ACTIVE"
    # the stack was deployed with the parameter: its default tag is on the request
    assert document["executions"][0]["output"]["request"]["tags"]["cost-center"] == "4711"


def test_serve_routes_deployments_throughput_and_runtime_over_http() -> None:
    from sandbox.served import ServedSandbox

    with ServedSandbox("--warmup", "1", "--polls", "1") as served:
        s3, bedrock = served.client("s3"), served.client("bedrock")
        runtime = served.client("bedrock-runtime", retries={"total_max_attempts": 1})
        escrow = f"customer-escrow-{ACCOUNT}-smtj-served"
        s3.create_bucket(Bucket=escrow)
        s3.put_object(Bucket=escrow, Key="job/model.safetensors", Body=b"weights")
        model = bedrock.create_custom_model(modelName="served-m", roleArn=f"arn:aws:iam::{ACCOUNT}:role/r",
                                            modelSourceConfig={"s3DataSource": {"s3Uri": f"s3://{escrow}/job/"}})["modelArn"]  # fmt: skip
        assert bedrock.get_custom_model(modelIdentifier=model)["modelStatus"] == "Active"
        arn = bedrock.create_custom_model_deployment(modelDeploymentName="served", modelArn=model,
                                                     tags=[{"key": "model-import:stack", "value": "x"}])["customModelDeploymentArn"]  # fmt: skip
        assert bedrock.get_custom_model_deployment(customModelDeploymentIdentifier="served")["status"] == "Active"
        assert bedrock.list_tags_for_resource(resourceARN=arn)["tags"] == [{"key": "model-import:stack", "value": "x"}]
        with pytest.raises(ClientError) as warming:
            runtime.converse(modelId=arn, messages=[{"role": "user", "content": [{"text": "hi"}]}])
        answer = runtime.converse(modelId=arn, messages=[{"role": "user", "content": [{"text": "hi"}]}], inferenceConfig={"maxTokens": 2})
        invoked = json.loads(runtime.invoke_model(modelId=arn, body=json.dumps(NOVA_BODY))["body"].read())
        pt = bedrock.create_provisioned_model_throughput(provisionedModelName="served-pt", modelId=model, modelUnits=1)["provisionedModelArn"]
        assert bedrock.get_provisioned_model_throughput(provisionedModelId=pt)["status"] == "InService"
        listed = bedrock.list_custom_model_deployments()["modelDeploymentSummaries"]
        bedrock.delete_provisioned_model_throughput(provisionedModelId=pt)
    assert served.returncode == 0
    assert warming.value.response["Error"]["Code"] == "ModelNotReadyException"
    assert answer["output"]["message"]["content"][0]["text"] == completion("served-m", "hi", 2)[0]
    assert invoked["output"]["message"]["content"][0]["text"] == completion("served-m", "Say hello", 5)[0]
    assert [d["customModelDeploymentArn"] for d in listed] == [arn]


def test_injected_faults_reach_bedrock_runtime_too(sandbox_factory: Callable[..., Sandbox]) -> None:
    from sandbox import Fault, Faults

    sb = sandbox_factory(faults=Faults([Fault("bedrock-runtime", "Converse", "ThrottlingException", 429, "Too many requests", count=1)]))
    arn = sb.add_deployment("d", sb.add_active_custom_model("m1"))

    assert _error(lambda: _converse(arn))[::2] == ("ThrottlingException", 429)
    assert _converse(arn)["output"]["message"]["content"][0]["text"] == completion("m1", "Say hello", None)[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--parameter", "NoSuchThing=1"], "--parameter NoSuchThing: template.yaml has no such parameter; it has "),
        (["--parameter", "MaxProvisionedModelUnits=-1"], "--parameter MaxProvisionedModelUnits=-1: must be at least 0"),
        (["--parameter", "DeployAfterImport=always"], "--parameter DeployAfterImport=always: must be one of"),
        (["--quota", "model-units=x"], "--quota: model-units must be a whole number"),
    ],
    ids=["parameter-unknown", "parameter-below-min", "parameter-not-allowed", "quota-word"],
)  # fmt: skip
def test_serve_checks_parameters_and_quotas_before_it_listens(args: list[str], message: str) -> None:
    code, out, err = cli("serve", "--port", "0", *args)

    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("python -m sandbox: error: ") and message in err, err


def test_bedrock_slow_warmup_shows_the_deployment_and_the_retried_smoke_test_in_the_timeline() -> None:
    code, out, _ = run("--artifacts", SAMPLE, "--parameter", "DeployAfterImport=on-demand", "--parameter", "SmokeTestPrompt=Hello",
                       "--bedrock", "slow-warmup")  # fmt: skip

    assert code == 0, out
    assert "on-demand nova-micro-demo: Active (check 2)" in out
    assert "(retried after 3x ModelNotReady)" in out and "Converse answered in" in out
    assert "  deployment   on-demand nova-micro-demo Active: arn:aws:bedrock:" in out
    assert "  smokeTest    ok in " in out


def test_bedrock_deployment_failed_leaves_the_model_active_and_the_execution_red() -> None:
    code, out, _ = run("--artifacts", SAMPLE, "--parameter", "DeployAfterImport=on-demand", "--bedrock", "deployment-failed", "--json")
    document = json.loads(out)

    assert code == 0  # the exit status follows the outcome, which stays ACTIVE
    assert [(e["status"], e["error"]) for e in document["executions"]] == [("FAILED", "ModelDeploymentFailed")]
    assert [(d["mode"], d["status"]) for d in document["deployments"]] == [("on-demand", "Failed")]
    assert [m["modelStatus"] for m in document["models"]] == ["Active"]
