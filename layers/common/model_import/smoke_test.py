"""The smoke test: one call against whatever the import made invocable, and what it answered.

modelId is the deployment's ARN (on-demand or Provisioned Throughput) or, with no deployment, the
imported model's own ARN (open weights are invoked on demand by it). Custom models (Amazon Nova)
take Converse. Imported models take Converse when GetImportedModel says instructSupported, else
InvokeModel in the body format of their architecture ("Invoke your imported model",
https://docs.aws.amazon.com/bedrock/latest/userguide/invoke-imported-model.html: Converse is not
supported for Qwen2.5, Qwen2-VL, Qwen2.5-VL and GPT-OSS, which take InvokeModel).

A model still loading (ModelNotReadyException), throttling and 5xx/timeouts raise the named
exceptions RunSmokeTest retries with backoff; any other answer is a failed test, reported as
"<Code>: <message>", never a crash.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from model_import import aws_errors
from model_import.aws_errors import error_code, error_message, translate
from model_import.errors import AwsCallFailed, ModelNotReady
from model_import.kinds import KIND_OPEN_WEIGHTS
from model_import.text import shorten

PREVIEW_MAX = 200

#: The InvokeModel body of an imported model without Converse, by the architecture family in
#: GetImportedModel.modelArchitecture. Custom Model Import takes "the same inference parameters
#: ... mentioned for the customized foundation model you are importing" (invoke-imported-model.html):
#: Llama's BedrockCompletion format {"prompt", "max_gen_len"} -> {"generation"} (model-parameters-meta.html),
#: Mistral/Mixtral's {"prompt", "max_tokens"} -> {"outputs": [{"text"}]} (model-parameters-mistral-text-completion.html),
#: and the OpenAICompletion format {"prompt", "max_tokens"} -> {"choices": [{"text"}]} for the
#: architectures with no Bedrock foundation model of their own (Qwen, GPT-OSS, ...; invoke-imported-model.html).
_LLAMA = "llama"
_MISTRAL = "mistral"
_OPENAI = "openai"
_FAMILIES = (("llama", _LLAMA), ("mixtral", _MISTRAL), ("mistral", _MISTRAL))


def body_family(architecture: str | None) -> str:
    lowered = (architecture or "").lower()
    return next((family for prefix, family in _FAMILIES if lowered.startswith(prefix)), _OPENAI)


def invoke_body(architecture: str | None, prompt: str, max_tokens: int) -> dict[str, Any]:
    if body_family(architecture) == _LLAMA:
        return {"prompt": prompt, "max_gen_len": max_tokens}
    return {"prompt": prompt, "max_tokens": max_tokens}


def invoke_answer(payload: Any) -> str:
    """The text of an InvokeModel answer in any of the formats above ('' when there is none)."""
    if not isinstance(payload, Mapping):
        return ""
    if isinstance(payload.get("generation"), str):
        return payload["generation"]
    for key in ("outputs", "choices"):
        items = payload.get(key)
        if isinstance(items, list) and items and isinstance(items[0], Mapping):
            first = items[0]
            if isinstance(first.get("text"), str):
                return first["text"]
            message = first.get("message")
            if isinstance(message, Mapping) and isinstance(message.get("content"), str):
                return message["content"]
    return ""


def converse_answer(response: Mapping[str, Any]) -> str:
    content = ((response.get("output") or {}).get("message") or {}).get("content") or []
    return "".join(block.get("text", "") for block in content if isinstance(block, Mapping))


def target(bedrock: Any, request: Mapping[str, Any], model: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """(modelId, API, architecture) of the one call: the deployment, else the imported model."""
    deployment = model.get("deployment") or {}
    if deployment.get("arn"):
        return deployment["arn"], "Converse", None
    model_arn = model["modelArn"]
    if request.get("kind") != KIND_OPEN_WEIGHTS:
        return model_arn, "Converse", None  # a custom model without a deployment: Bedrock will say it is not invocable
    try:
        imported = bedrock.get_imported_model(modelIdentifier=model_arn)
    except (aws_errors.ClientError, aws_errors.BotoCoreError) as err:
        raise translate(err, "bedrock", "GetImportedModel") from err
    if imported.get("instructSupported"):
        return model_arn, "Converse", imported.get("modelArchitecture")
    return model_arn, "InvokeModel", imported.get("modelArchitecture")


def run(bedrock_runtime: Any, bedrock: Any, request: Mapping[str, Any], model: Mapping[str, Any], attempt: int = 1) -> dict[str, Any]:
    """Make the call; return $.smokeTest. `attempt` is 1 + RunSmokeTest's retry count."""
    spec = request["smokeTest"]
    prompt, max_tokens = spec["prompt"], int(spec.get("maxTokens") or 64)
    model_id, api, architecture = target(bedrock, request, model)
    result: dict[str, Any] = {
        "ok": False, "latencyMs": None, "outputPreview": None, "error": None, "api": api, "modelId": model_id, "attempts": attempt,
    }
    started = time.monotonic()
    try:
        if api == "Converse":
            response = bedrock_runtime.converse(
                modelId=model_id,
                messages=[{"role": "user", "content": [{"text": prompt}]}],
                inferenceConfig={"maxTokens": max_tokens},
            )
            text = converse_answer(response)
        else:
            response = bedrock_runtime.invoke_model(
                modelId=model_id,
                body=json.dumps(invoke_body(architecture, prompt, max_tokens)),
                contentType="application/json",
                accept="application/json",
            )
            text = invoke_answer(_json(response["body"].read()))
    except aws_errors.ClientError as err:
        code, message = error_code(err), error_message(err)
        if code == "ModelNotReadyException":
            raise ModelNotReady(f"bedrock-runtime {api}: {code}: {message}") from err
        translated = translate(err, "bedrock-runtime", api)
        if not isinstance(translated, AwsCallFailed):
            raise translated from err
        result["error"] = shorten(f"{code}: {message}", 1000)
        return result
    except aws_errors.BotoCoreError as err:
        raise translate(err, "bedrock-runtime", api) from err
    result["latencyMs"] = round((time.monotonic() - started) * 1000)
    if not text.strip():
        result["error"] = f"the model answered {api} with no text"
        return result
    result["ok"] = True
    result["outputPreview"] = shorten(text.strip(), PREVIEW_MAX)
    return result


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None
