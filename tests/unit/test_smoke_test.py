"""The smoke test with botocore Stubbers: which API and modelId each kind of target gets, what the
answer becomes ($.smokeTest), and which bedrock-runtime errors are retried (named exceptions) or
reported as a failed test."""

from __future__ import annotations

import io
import json

import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from model_import.errors import AwsCallFailed, BedrockThrottled, BedrockUnavailable, ModelNotReady
from model_import.smoke_test import PREVIEW_MAX, invoke_body, run
from tests.support import ACCOUNT_ID, REGION, new_client

DEPLOYMENT_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:custom-model-deployment/a1b2c3d4e5f6"
PT_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:provisioned-model/a1b2c3d4e5f6"
IMPORTED_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:imported-model/a1b2c3d4e5f6"
CUSTOM_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:custom-model/imported/abcdef123456"


def request(kind="sagemaker-checkpoint", prompt="Say hello", max_tokens=16) -> dict:
    return {"kind": kind, "modelName": "m", "smokeTest": {"prompt": prompt, "maxTokens": max_tokens}}


def deployed(arn=DEPLOYMENT_ARN, mode="on-demand") -> dict:
    return {"modelArn": CUSTOM_ARN, "modelStatus": "Active", "deployment": {"mode": mode, "arn": arn, "status": "Active"}}


@pytest.fixture
def clients():
    runtime, bedrock = new_client("bedrock-runtime"), new_client("bedrock")
    with Stubber(runtime) as rstub, Stubber(bedrock) as bstub:
        runtime.stub, bedrock.stub = rstub, bstub
        yield runtime, bedrock
        rstub.assert_no_pending_responses()
        bstub.assert_no_pending_responses()


def _converse_answer(text):
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn", "usage": {"inputTokens": 3, "outputTokens": 2, "totalTokens": 5}, "metrics": {"latencyMs": 12},
    }


def _converse_params(model_id, prompt="Say hello", max_tokens=16):
    return {"modelId": model_id, "messages": [{"role": "user", "content": [{"text": prompt}]}], "inferenceConfig": {"maxTokens": max_tokens}}


@pytest.mark.parametrize("arn, mode", [(DEPLOYMENT_ARN, "on-demand"), (PT_ARN, "provisioned")])
def test_a_deployment_is_called_with_converse_by_its_arn(clients, arn, mode):
    runtime, bedrock = clients
    runtime.stub.add_response("converse", _converse_answer("Hello there"), _converse_params(arn))
    result = run(runtime, bedrock, request(), deployed(arn, mode), attempt=3)
    assert result["ok"] is True and result["error"] is None
    assert result["outputPreview"] == "Hello there" and result["api"] == "Converse" and result["modelId"] == arn
    assert isinstance(result["latencyMs"], int) and result["latencyMs"] >= 0 and result["attempts"] == 3


def test_an_instruct_imported_model_is_called_with_converse_by_its_own_arn(clients):
    runtime, bedrock = clients
    bedrock.stub.add_response(
        "get_imported_model", {"modelArn": IMPORTED_ARN, "modelArchitecture": "llama3", "instructSupported": True},
        {"modelIdentifier": IMPORTED_ARN},
    )
    runtime.stub.add_response("converse", _converse_answer("Hi"), _converse_params(IMPORTED_ARN))
    result = run(runtime, bedrock, request("open-weights"), {"modelArn": IMPORTED_ARN, "modelStatus": "Active"})
    assert (result["ok"], result["api"], result["modelId"]) == (True, "Converse", IMPORTED_ARN)


@pytest.mark.parametrize(
    "architecture, body, answer",
    [
        ("llama3", {"prompt": "Say hello", "max_gen_len": 16}, {"generation": "Hello", "stop_reason": "stop"}),
        ("mistral", {"prompt": "Say hello", "max_tokens": 16}, {"outputs": [{"text": "Hello", "stop_reason": "stop"}]}),
        ("mixtral", {"prompt": "Say hello", "max_tokens": 16}, {"outputs": [{"text": "Hello", "stop_reason": "stop"}]}),
        ("qwen2", {"prompt": "Say hello", "max_tokens": 16}, {"choices": [{"text": "Hello", "finish_reason": "stop"}]}),
        ("gpt_oss", {"prompt": "Say hello", "max_tokens": 16}, {"choices": [{"text": "Hello", "finish_reason": "stop"}]}),
    ],
)
def test_an_imported_model_without_converse_gets_invoke_model_in_its_architectures_format(clients, architecture, body, answer):
    runtime, bedrock = clients
    assert invoke_body(architecture, "Say hello", 16) == body
    bedrock.stub.add_response("get_imported_model", {"modelArn": IMPORTED_ARN, "modelArchitecture": architecture, "instructSupported": False})
    raw = json.dumps(answer).encode()
    runtime.stub.add_response(
        "invoke_model",
        {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"},
        {"modelId": IMPORTED_ARN, "body": ANY, "contentType": "application/json", "accept": "application/json"},
    )
    result = run(runtime, bedrock, request("open-weights"), {"modelArn": IMPORTED_ARN, "modelStatus": "Active"})
    assert (result["ok"], result["api"], result["outputPreview"]) == (True, "InvokeModel", "Hello")


def test_the_output_preview_is_at_most_200_characters(clients):
    runtime, bedrock = clients
    runtime.stub.add_response("converse", _converse_answer("word " * 200))
    result = run(runtime, bedrock, request(), deployed())
    assert result["ok"] is True and len(result["outputPreview"]) == PREVIEW_MAX == 200
    assert result["outputPreview"].endswith("...")


@pytest.mark.parametrize("text", ["", "   \n"])
def test_an_empty_answer_is_a_failed_test(clients, text):
    runtime, bedrock = clients
    runtime.stub.add_response("converse", _converse_answer(text))
    result = run(runtime, bedrock, request(), deployed())
    assert result["ok"] is False and result["outputPreview"] is None and "no text" in result["error"]


def test_an_unreadable_invoke_model_answer_is_a_failed_test(clients):
    runtime, bedrock = clients
    bedrock.stub.add_response("get_imported_model", {"modelArn": IMPORTED_ARN, "modelArchitecture": "llama3", "instructSupported": False})
    runtime.stub.add_response("invoke_model", {"body": StreamingBody(io.BytesIO(b"not json"), 8), "contentType": "application/json"})
    result = run(runtime, bedrock, request("open-weights"), {"modelArn": IMPORTED_ARN, "modelStatus": "Active"})
    assert result["ok"] is False and "no text" in result["error"]


@pytest.mark.parametrize(
    "code, status, raised",
    [
        ("ModelNotReadyException", 429, ModelNotReady),
        ("ThrottlingException", 429, BedrockThrottled),
        ("ServiceUnavailableException", 503, BedrockUnavailable),
        ("InternalServerException", 500, BedrockUnavailable),
        ("ModelTimeoutException", 408, BedrockUnavailable),
    ],
)
def test_a_model_warming_up_throttling_and_outages_raise_the_errors_run_smoke_test_retries(clients, code, status, raised):
    runtime, bedrock = clients
    runtime.stub.add_client_error("converse", code, "try later", status)
    with pytest.raises(raised, match=code):
        run(runtime, bedrock, request(), deployed())


@pytest.mark.parametrize(
    "code, status",
    [("ModelErrorException", 424), ("ValidationException", 400), ("ResourceNotFoundException", 404), ("AccessDeniedException", 403)],
)
def test_any_other_answer_is_a_failed_test_naming_bedrocks_code_and_message(clients, code, status):
    runtime, bedrock = clients
    runtime.stub.add_client_error("converse", code, "it went wrong", status)
    result = run(runtime, bedrock, request(), deployed())
    assert result == {
        "ok": False, "latencyMs": None, "outputPreview": None, "error": f"{code}: it went wrong",
        "api": "Converse", "modelId": DEPLOYMENT_ARN, "attempts": 1,
    }


def test_a_failed_get_imported_model_is_the_aws_error_it_is(clients):
    runtime, bedrock = clients
    bedrock.stub.add_client_error("get_imported_model", "AccessDeniedException", "no", 403)
    with pytest.raises(AwsCallFailed, match="GetImportedModel"):
        run(runtime, bedrock, request("open-weights"), {"modelArn": IMPORTED_ARN, "modelStatus": "Active"})
