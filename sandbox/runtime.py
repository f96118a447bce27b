"""Emulated bedrock-runtime: Converse and InvokeModel for whatever the sandbox made invocable.

moto 5.2.5's bedrock-runtime has an InvokeModel stub (an empty answer for any modelId) and no
Converse; sandbox/bedrock.py patches both methods of moto's BedrockRuntimeResponse, so in-process
boto3 calls and `python -m sandbox serve` (moto's server tells bedrock-runtime from bedrock by the
request path) reach this module. Each request is first checked against the operation's shapes in
botocore's bedrock-runtime service model (service_model.py), then against the rules
bedrock_contract.EMULATOR_RULES names (invoke-*, converse-needs-chat-template).

What answers (a deterministic completion from the model and the prompt, at most maxTokens words):
- a custom-model-deployment that is Active (also while an update runs: it still serves);
- a provisioned-model that is InService;
- an imported-model that exists.
Refused: a custom-model ARN itself, an unknown ARN, a deployment Creating or Failed, a throughput
not InService, any foundation model or inference profile (the sandbox hosts none), a body that is
not JSON in the model's format.

InvokeModel bodies, by model:
- custom models (Nova, through a deployment or a throughput): messages-v1
  {"messages": [{"role": "user", "content": [{"text": ...}]}], "inferenceConfig": {"maxTokens": N}}
  -> {"output": {"message": {"role": "assistant", "content": [{"text": ...}]}}, "stopReason", "usage"}
  (userguide/model-parameters-nova / nova userguide "Invoke API");
- imported Llama-architecture models: {"prompt": ..., "max_gen_len": N}
  -> {"generation", "prompt_token_count", "generation_token_count", "stop_reason"}
  (userguide/model-parameters-meta.html; invoke-imported-model.html: "use the same inference
  parameters ... for the customized foundation model you are importing");
- other imported architectures: OpenAI completion {"prompt": ..., "max_tokens": N}
  -> {"choices": [{"index": 0, "text": ..., "finish_reason"}], "usage"}
  (invoke-imported-model.html, "OpenAICompletion").
Converse: only where the model takes messages: Nova custom models, and imported models whose
tokenizer_config.json holds a chat_template (instructSupported).

BedrockBehaviour of the model behind the ARN (per_model by name): warmup=N answers the first N
invocations of each invocable ARN with ModelNotReadyException; invoke="error" answers every call
with ModelErrorException.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from sandbox import bedrock_contract as contract
from sandbox.bedrock import BedrockBehaviour, BedrockError

RUNTIME_OPERATIONS = {"Converse": "converse", "InvokeModel": "invoke_model"}
_WORDS = (
    "sandbox", "answer", "model", "ready", "offline", "stable", "deploy", "check", "reply", "token",
    "bedrock", "custom", "import", "smoke", "prompt", "nova", "weights", "active", "serve", "fine",
)  # fmt: skip
NOT_READY_MESSAGE = (
    "The model specified in the request is not ready to serve inference requests. The AWS SDK will automatically "
    "retry the operation up to 5 times."
)  # the API reference's description of ModelNotReadyException


@dataclass(frozen=True)
class Target:
    """What an invocable ARN serves: the model's name (for its behaviour) and its request format."""

    arn: str
    model_name: str
    kind: str  # "nova" (a custom model) | "imported"
    architecture: str  # imported models: config.json's model_type ("llama", "mistral", ...)
    instruct: bool  # takes messages (Converse)


def completion(model: str, prompt: str, max_tokens: int | None) -> tuple[str, str, int]:
    """(text, stop reason "end_turn"|"max_tokens", words) - the same for the same model and prompt."""
    digest = hashlib.sha256(f"{model}\n{prompt}".encode()).digest()
    natural = 8 + digest[0] % 9
    count = natural if max_tokens is None else min(max_tokens, natural)
    words = [_WORDS[b % len(_WORDS)] for b in digest[1 : 1 + count]]
    return " ".join(words), "max_tokens" if count < natural else "end_turn", count


class RuntimeStore:
    """The invocations of one account and region; it reads the other stores of the same place."""

    def __init__(self, account_id: str, region: str, behaviour: BedrockBehaviour, emulator: Any) -> None:
        self.account_id = account_id
        self.region = region
        self.behaviour = behaviour
        self._emulator = emulator
        self.calls: list[str] = []
        self.invocations: dict[str, int] = {}  # invocable ARN -> calls so far
        self.answered: list[tuple[str, str]] = []  # (operation, modelId) of each answered call
        self.refusals: list[tuple[str, str | None]] = []
        self._lock = threading.Lock()

    def refuse(self, broken: contract.Broken, model_id: str | None) -> BedrockError:
        self.refusals.append((broken.rule.id, model_id))
        status = {"ResourceNotFoundException": 404}.get(broken.rule.error, 400)
        return BedrockError(broken.rule.error, broken.message, status=status)

    # ---------------------------------------------------------------- resolving the modelId

    def _target(self, model_id: str) -> Target:
        emulator, account, region = self._emulator, self.account_id, self.region
        if ":custom-model-deployment/" in model_id:
            deployment = emulator.deployment_store(account, region).find(model_id)
            if deployment is None:
                raise self._unknown(model_id, "custom model deployment")
            if deployment.status != "Active":
                message = (
                    f"The custom model deployment {model_id} is {deployment.status}"
                    + (f" ({deployment.failure_message})" if deployment.failure_message else "")
                    + ": it answers once it is Active."
                )
                raise self.refuse(contract.Broken(contract.INVOKE_NOT_READY, message), model_id)
            model = next((m for m in emulator.store(account, region).models.values() if m.arn == deployment.model_arn), None)
            return Target(model_id, model.name if model else deployment.model_name, "nova", "", True)
        if ":provisioned-model/" in model_id:
            throughput = emulator.throughput_store(account, region).find(model_id)
            if throughput is None:
                raise self._unknown(model_id, "Provisioned Throughput")
            if throughput.status != "InService":
                message = f"The Provisioned Throughput {model_id} is {throughput.status}: it answers once it is InService."
                raise self.refuse(contract.Broken(contract.INVOKE_NOT_READY, message), model_id)
            return Target(model_id, throughput.model_name, "nova", "", True)
        if ":imported-model/" in model_id:
            imported = next((m for m in list(emulator.import_jobs.store(account, region).models.values()) if m.arn == model_id), None)
            if imported is None:
                raise self._unknown(model_id, "imported model")
            return Target(model_id, imported.name, "imported", imported.architecture, imported.instruct)
        if ":custom-model/" in model_id:
            message = (
                f"{model_id} is a custom model: invoke it through its custom model deployment (on demand) or its "
                "Provisioned Throughput, by that resource's ARN."
            )
            raise self.refuse(contract.Broken(contract.INVOKE_CUSTOM_MODEL, message), model_id)
        message = (
            f"The provided model identifier is invalid: {model_id}. The sandbox hosts no foundation models or inference "
            "profiles; invoke a custom model deployment, a Provisioned Throughput or an imported model by its ARN."
        )
        raise self.refuse(contract.Broken(contract.INVOKE_FOUNDATION_MODEL, message), model_id)

    def _unknown(self, model_id: str, what: str) -> BedrockError:
        message = f"Could not find the {what} {model_id} in account {self.account_id}, region {self.region}."
        return self.refuse(contract.Broken(contract.INVOKE_UNKNOWN_MODEL, message), model_id)

    def _admit(self, target: Target) -> None:
        """Warm-up and failure behaviours, counted per invocable ARN."""
        behaviour = self.behaviour.for_model(target.model_name)
        self.invocations[target.arn] = self.invocations.get(target.arn, 0) + 1
        if self.invocations[target.arn] <= behaviour.warmup:
            raise BedrockError("ModelNotReadyException", NOT_READY_MESSAGE, status=429)
        if behaviour.invoke == "error":
            raise BedrockError(
                "ModelErrorException", behaviour.invoke_error_message, status=424,
                fields={"originalStatusCode": 500, "resourceName": target.arn},
            )  # fmt: skip

    def _bad_body(self, target: Target, why: str) -> BedrockError:
        expected = {
            "nova": '{"messages": [{"role": "user", "content": [{"text": "..."}]}], "inferenceConfig": {"maxTokens": N}}',
            "llama": '{"prompt": "...", "max_gen_len": N}',
        }.get(target.kind if target.kind == "nova" else _family(target.architecture), '{"prompt": "...", "max_tokens": N}')
        message = f"Malformed input request: {why}. {target.arn} takes a JSON body like {expected}."
        return self.refuse(contract.Broken(contract.INVOKE_BODY_FORMAT, message), target.arn)

    # ---------------------------------------------------------------- operations

    def converse(self, params: dict[str, Any]) -> dict[str, Any]:
        started = time.monotonic()
        model_id = params["modelId"]
        with self._lock:
            self.calls.append("Converse")
            target = self._target(model_id)
            if not target.instruct:
                message = (
                    f"This model doesn't support the Converse API: {model_id} was imported without a chat_template in its "
                    "tokenizer_config.json. Call InvokeModel with its prompt format instead."
                )
                raise self.refuse(contract.Broken(contract.CONVERSE_NEEDS_CHAT_TEMPLATE, message), model_id)
            prompt = _last_user_text(params.get("messages"))
            if prompt is None:
                raise BedrockError("ValidationException", "A conversation must start with a user message that has text content.")
            self._admit(target)
            self.answered.append(("Converse", model_id))
        max_tokens = (params.get("inferenceConfig") or {}).get("maxTokens")
        text, stop, count = completion(target.model_name, prompt, max_tokens)
        return {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": stop,
            "usage": {"inputTokens": len(prompt.split()), "outputTokens": count, "totalTokens": len(prompt.split()) + count},
            "metrics": {"latencyMs": max(1, int((time.monotonic() - started) * 1000))},
        }

    def invoke_model(self, params: dict[str, Any]) -> tuple[str, str]:
        """(content type, body) of the answer."""
        model_id = params["modelId"]
        with self._lock:
            self.calls.append("InvokeModel")
            target = self._target(model_id)
            raw = params.get("body")
            try:
                body = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw or "")
            except (UnicodeDecodeError, ValueError):
                raise self._bad_body(target, "the body is not JSON") from None
            if not isinstance(body, dict):
                raise self._bad_body(target, "the body is not a JSON object")
            prompt, max_tokens = self._read(target, body)
            self._admit(target)
            self.answered.append(("InvokeModel", model_id))
        text, stop, count = completion(target.model_name, prompt, max_tokens)
        words_in = len(prompt.split())
        if target.kind == "nova":
            answer: dict[str, Any] = {
                "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
                "stopReason": stop,
                "usage": {"inputTokens": words_in, "outputTokens": count, "totalTokens": words_in + count},
            }
        elif _family(target.architecture) == "llama":
            answer = {"generation": text, "prompt_token_count": words_in, "generation_token_count": count,
                      "stop_reason": "length" if stop == "max_tokens" else "stop"}  # fmt: skip
        else:
            answer = {
                "choices": [{"index": 0, "text": text, "finish_reason": "length" if stop == "max_tokens" else "stop"}],
                "usage": {"prompt_tokens": words_in, "completion_tokens": count, "total_tokens": words_in + count},
            }
        return "application/json", json.dumps(answer)

    def _read(self, target: Target, body: dict[str, Any]) -> tuple[str, int | None]:
        """The prompt and the token limit of a body in the target's format, or a ValidationException."""
        if target.kind == "nova":
            prompt = _last_user_text(body.get("messages"))
            if prompt is None:
                raise self._bad_body(target, "messages must be a list ending with a user message with text content")
            return prompt, _limit(self, target, (body.get("inferenceConfig") or {}), "maxTokens")
        key = "max_gen_len" if _family(target.architecture) == "llama" else "max_tokens"
        if not isinstance(body.get("prompt"), str) or not body["prompt"].strip():
            raise self._bad_body(target, '"prompt" must be a non-empty string')
        return body["prompt"], _limit(self, target, body, key)


def _limit(store: RuntimeStore, target: Target, holder: Any, key: str) -> int | None:
    if not isinstance(holder, dict):
        raise store._bad_body(target, "inferenceConfig must be an object")
    value = holder.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise store._bad_body(target, f'"{key}" must be a whole number of at least 1')
    return value


def _family(architecture: str) -> str:
    return "llama" if architecture.lower().startswith("llama") else architecture.lower()


def _last_user_text(messages: Any) -> str | None:
    """The text of the last message when it is a user's with text content, else None."""
    if not isinstance(messages, list) or not messages:
        return None
    last = messages[-1]
    if not isinstance(last, dict) or last.get("role") != "user" or not isinstance(last.get("content"), list):
        return None
    texts = [block.get("text") for block in last["content"] if isinstance(block, dict) and isinstance(block.get("text"), str)]
    text = " ".join(t for t in texts if t.strip())
    return text or None
