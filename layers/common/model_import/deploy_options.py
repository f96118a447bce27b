"""What a request asks to happen after the model is Active: a deployment and a smoke test.

Pure functions over the request's raw "deploy" and "smokeTest" members (trigger file or manual
input; absent for a Model Registry approval) and the stack's defaults (DeployAfterImport,
MaxProvisionedModelUnits, SmokeTestPrompt). Every refusal is ImportRejected naming the field, what
is allowed and the fix; nothing has been created yet when it is raised.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from model_import import bedrock_rules as rules
from model_import.errors import ImportRejected
from model_import.kinds import KIND_OPEN_WEIGHTS
from model_import.request import DeployRequest, SmokeTestRequest
from model_import.text import a_json_type, shorten

MODES = ("none", "on-demand", "provisioned")
DEPLOY_MEMBERS = ("mode", "modelUnits", "name")
SMOKE_TEST_MEMBERS = ("prompt", "maxTokens")
PROMPT_MAX = 4000
MAX_TOKENS_MAX = 4096
DEFAULT_MAX_TOKENS = 64
DEFAULT_MODEL_UNITS = 1
#: CreateCustomModelDeployment modelDeploymentName `([0-9a-zA-Z][_-]?){1,63}` and
#: CreateProvisionedModelThroughput provisionedModelName `([0-9a-zA-Z][_-]?)+`, 1-63 (botocore's
#: bedrock model): the model-name rule, whose check also refuses a trailing separator (stricter).
NAME_RULE = rules.MODEL_NAME_RULE
COST_GUARD = (
    "Provisioned Throughput bills hourly until it is deleted; this stack allows none "
    "(MaxProvisionedModelUnits is 0): raise MaxProvisionedModelUnits or ask for on-demand"
)
_EXAMPLE_DEPLOY = '{"mode": "on-demand"}'
_EXAMPLE_SMOKE = '{"prompt": "Say hello.", "maxTokens": 64}'


def shown(value: Any) -> str:
    """A value as a reason quotes it: short, and safe for any input (a 5,000-digit integer cannot
    even be turned into a string by default; NaN is not JSON)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 64 else f"an integer of {value.bit_length()} bits"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "a non-finite number"
    if isinstance(value, str):
        return repr(shorten(value, 60))
    return "a JSON object" if isinstance(value, Mapping) else a_json_type(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is not 1 model unit


def _refuse_unknown_members(raw: Mapping[str, Any], allowed: tuple[str, ...], field: str, origin: str) -> None:
    unknown = sorted(shorten(str(key), 40) for key in raw if key not in allowed)
    if unknown:
        raise ImportRejected(
            f'{origin}: "{field}" has unknown member(s) {", ".join(map(repr, unknown[:5]))}; '
            f'it takes only {", ".join(allowed)}: remove the others'
        )


def resolve_deploy(
    options: Mapping[str, Any], kind: str, model_name: str, default_mode: str, max_model_units: int, origin: str
) -> DeployRequest | None:
    """The deployment to make after Active, or None. `options` holds the request's raw members
    ("deploy" only when the request named it)."""
    if "deploy" in options:
        raw = options["deploy"]
        if not isinstance(raw, Mapping):
            raise ImportRejected(
                f'{origin}: "deploy" must be an object such as {_EXAMPLE_DEPLOY} (members {", ".join(DEPLOY_MEMBERS)}), '
                f"got {a_json_type(raw)}; leave it out to use the stack's DeployAfterImport ({default_mode})"
            )
        _refuse_unknown_members(raw, DEPLOY_MEMBERS, "deploy", origin)
    else:
        raw = {}
    explicit = "mode" in raw
    mode = raw["mode"] if explicit else default_mode
    if mode not in MODES:
        raise ImportRejected(f'{origin}: "deploy" "mode" must be one of {", ".join(map(repr, MODES))}, got {shown(mode)}')
    where = f'"deploy" "mode" {mode!r}' if explicit else f"the stack's DeployAfterImport ({mode})"
    if kind == KIND_OPEN_WEIGHTS:
        return _open_weights(raw, mode, explicit, origin)
    if mode == "none":
        extra = [name for name in ("name", "modelUnits") if name in raw]
        if extra:
            raise ImportRejected(
                f'{origin}: "deploy" has {" and ".join(map(repr, extra))} but {where} creates no deployment; '
                'set "mode" to "on-demand" or "provisioned", or remove them'
            )
        return None
    units = _model_units(raw, mode, where, max_model_units, origin)
    name = raw.get("name", model_name)
    if not rules.is_valid_model_name(name):
        raise ImportRejected(
            f'{origin}: "deploy" "name" must be a deployment name of {NAME_RULE}, got {shown(name)}'
            + (f"; e.g. {rules.suggest_model_name(name)!r}" if isinstance(name, str) else "")
        )
    return DeployRequest(mode=mode, name=name, model_units=units)


def _open_weights(raw: Mapping[str, Any], mode: str, explicit: bool, origin: str) -> None:
    """Imported models are invoked on demand by their own ARN (Bedrock Custom Model Import): there is
    nothing to deploy. The stack's default mode, or an explicit on-demand, means no deployment."""
    extra = [name for name in ("name", "modelUnits") if name in raw]
    if (explicit and mode == "provisioned") or extra:
        asked = '"mode" "provisioned"' if explicit and mode == "provisioned" else " and ".join(map(repr, extra))
        raise ImportRejected(
            f'{origin}: "deploy" has {asked}, but an imported open-weight model (CreateModelImportJob) is invoked '
            "on demand by its own model ARN and takes no deployment or Provisioned Throughput; remove "
            '"deploy" (a "smokeTest" still runs against the model ARN)'
        )
    return None


def _model_units(raw: Mapping[str, Any], mode: str, where: str, max_model_units: int, origin: str) -> int | None:
    if mode != "provisioned":
        if "modelUnits" in raw:
            raise ImportRejected(
                f'{origin}: "deploy" "modelUnits" applies only to "mode": "provisioned", but {where} is on-demand; '
                "remove modelUnits, or set the mode to provisioned"
            )
        return None
    units = raw.get("modelUnits", DEFAULT_MODEL_UNITS)
    if not _is_int(units) or units < 1:
        upper = f"1 to {max_model_units} (MaxProvisionedModelUnits)" if max_model_units else "at least 1"
        raise ImportRejected(f'{origin}: "deploy" "modelUnits" must be a whole number {upper}, got {shown(units)}')
    if max_model_units == 0:
        raise ImportRejected(f"{origin}: {where} asks for Provisioned Throughput. {COST_GUARD}")
    if units > max_model_units:
        raise ImportRejected(
            f'{origin}: "deploy" "modelUnits" is {shown(units)}, but this stack allows at most {max_model_units} '
            "(MaxProvisionedModelUnits; Provisioned Throughput bills hourly per model unit until deleted): "
            "ask for fewer, or raise MaxProvisionedModelUnits"
        )
    return units


def resolve_smoke_test(
    options: Mapping[str, Any], kind: str, deploy: DeployRequest | None, default_prompt: str, origin: str
) -> SmokeTestRequest | None:
    """The smoke test to run once invocable, or None. `false` turns the stack's SmokeTestPrompt off."""
    invocable = kind == KIND_OPEN_WEIGHTS or deploy is not None
    if "smokeTest" not in options:
        # The stack default applies only where there is something to call.
        return SmokeTestRequest(default_prompt, DEFAULT_MAX_TOKENS) if default_prompt and invocable else None
    raw = options["smokeTest"]
    if raw is False:
        return None
    if not isinstance(raw, Mapping):
        raise ImportRejected(
            f'{origin}: "smokeTest" must be an object such as {_EXAMPLE_SMOKE}, or false to skip the stack\'s '
            f"SmokeTestPrompt; got {shown(raw) if isinstance(raw, bool) else a_json_type(raw)}"
        )
    _refuse_unknown_members(raw, SMOKE_TEST_MEMBERS, "smokeTest", origin)
    prompt = raw.get("prompt", default_prompt)
    if "prompt" not in raw and not default_prompt:
        raise ImportRejected(
            f'{origin}: "smokeTest" has no "prompt" and the stack\'s SmokeTestPrompt is empty; '
            'add "prompt" (a non-empty string)'
        )
    if not isinstance(prompt, str) or not prompt.strip():
        raise ImportRejected(
            f'{origin}: "smokeTest" "prompt" must be a non-empty string of at most {PROMPT_MAX} characters, got {shown(prompt)}'
        )
    if len(prompt) > PROMPT_MAX:
        raise ImportRejected(
            f'{origin}: "smokeTest" "prompt" is {len(prompt)} characters; at most {PROMPT_MAX} are allowed (one short '
            "call checks that the model answers): shorten it"
        )
    lone = next((i for i, ch in enumerate(prompt) if "\ud800" <= ch <= "\udfff"), None)
    if lone is not None:
        # JSON may escape half of a UTF-16 pair ("\ud83d" alone); that is no Unicode text, and the SDK
        # cannot encode it to send: it would fail the smoke test after the deployment was made.
        raise ImportRejected(
            f'{origin}: "smokeTest" "prompt" holds an unpaired surrogate ({prompt[lone].encode("unicode_escape").decode()} at '
            f"character {lone + 1}), which is not Unicode text and cannot be sent to Bedrock: write the character whole "
            "(e.g. an emoji as itself or as both halves of its escape), or remove it"
        )
    max_tokens = raw.get("maxTokens", DEFAULT_MAX_TOKENS)
    if not _is_int(max_tokens) or not 1 <= max_tokens <= MAX_TOKENS_MAX:
        raise ImportRejected(
            f'{origin}: "smokeTest" "maxTokens" must be a whole number from 1 to {MAX_TOKENS_MAX}, got {shown(max_tokens)} '
            f"(leave it out for {DEFAULT_MAX_TOKENS})"
        )
    if not invocable:
        raise ImportRejected(
            f'{origin}: "smokeTest" needs something to call, but a {kind} model is invocable only through a '
            'deployment and none is requested; add "deploy": {"mode": "on-demand"} (or "provisioned"), '
            'or remove "smokeTest"'
        )
    return SmokeTestRequest(prompt=prompt, max_tokens=max_tokens)
