"""The bad-input corpus (cases.yaml): malformed inputs, each with the reason it must be rejected with.

Reusable outside this folder (the workflow tests run the same corpus through the whole state
machine, where every case must end REJECTED with its reason):

    from tests.corpus.cases import CORPUS_ENV, load_cases, stage

    for case in load_cases():
        stage(case, s3)                    # put case.objects into the artifact bucket
        ...start an execution with case.input...
        assert case.matches(reason)        # the notification's "reason"

The corpus assumes the stack's settings in CORPUS_ENV (the sandbox's values: bucket
model-import-sandbox, moto's account 123456789012, the template's default prefix and file name).
Every case stages its objects under its own model folder, so all cases can share one bucket. In
the workflow, staging an object whose key matches the trigger rule (incoming/*/manifest.json) is
itself an upload that starts an execution; `Case.upload_triggers` tells when that upload's event
is the case's own input; every other staged trigger file is rejected too (test_bad_input_corpus.py checks it).

cases.yaml format, one list entry per case:
  name:            unique, kebab-case
  about:           what the case is (optional)
  input:           the execution input, literally; or one of the shorthands
  event:           {key, bucket?, version-id?, sequencer?} -> the EventBridge "Object Created" event
  manual_trigger:  key -> {"bucket": <artifact bucket>, "key": key}
  objects:         [{key, text | json | base64 | size (+ fill)}] to stage in the artifact bucket
  hf_folder:       {folder, config?, files?, manifest?} -> an open-weight folder incoming/<folder>/ (a
                   valid tiny Llama: config.json, tokenizer.json, tokenizer_config.json,
                   model.safetensors), `config` replacing config.json's JSON (or `config_text` its text),
                   `files` adding ({text|json|size}) or removing (null) files by relative path,
                   then its trigger file (`manifest`, default {}) as the event
  reason:          the exact reason; or
  reason_re:       a regular expression (re.search) pinning the reason's important words
Strings may use ${BUCKET}, ${ACCOUNT_ID}, ${OTHER_ACCOUNT_ID}, ${REPEAT(text,count)} and, as a
whole string, ${TAGS(count)} (an object of `count` valid tags) or ${NESTED(depth)} (objects
nested `depth` deep: {"a": {"a": ...}}). In reason_re, ${...} values are regex-escaped.
A case's `tags` name the class of bad input it belongs to (e.g. the issue that reported it).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.support import ACCOUNT_ID, BUCKET, OTHER_ACCOUNT_ID, STACK_NAME, s3_event

CORPUS_FILE = Path(__file__).with_name("cases.yaml")

#: The ValidateArtifacts environment the expected reasons assume.
CORPUS_ENV = {
    "ARTIFACT_BUCKET": BUCKET,
    "INCOMING_PREFIX": "incoming/",
    "TRIGGER_FILE_NAME": "manifest.json",
    "ACCOUNT_ID": ACCOUNT_ID,
    "ALLOWED_SOURCE_PREFIXES": "",
    "DEFAULT_TAGS": "team=ml-platform",
    "AWS_REGION": "us-east-1",  # Lambda sets it; the sandbox's region
    "STACK_NAME": STACK_NAME,
    # The template's defaults: no deployment, no Provisioned Throughput allowed, no smoke test.
    "DEPLOY_AFTER_IMPORT": "none",
    "MAX_PROVISIONED_MODEL_UNITS": "0",
    "SMOKE_TEST_PROMPT": "",
}

_VARIABLES = {"BUCKET": BUCKET, "ACCOUNT_ID": ACCOUNT_ID, "OTHER_ACCOUNT_ID": OTHER_ACCOUNT_ID}
_MACRO = re.compile(
    r"\$\{(?:(?P<var>[A-Z_]+)|REPEAT\((?P<text>[^,()]*),(?P<count>\d+)\)|TAGS\((?P<tags>\d+)\)|NESTED\((?P<nested>\d+)\))\}"
)


@dataclass(frozen=True)
class StagedObject:
    key: str
    body: bytes


@dataclass(frozen=True)
class Case:
    name: str
    input: Any
    objects: tuple[StagedObject, ...] = ()
    reason: str | None = None
    reason_re: str | None = None
    about: str = ""
    tags: tuple[str, ...] = field(default=())

    def matches(self, reason: str | None) -> bool:
        """Whether a rejection's reason is the one this case expects."""
        if reason is None:
            return False
        if self.reason is not None:
            return reason == self.reason
        return re.search(self.reason_re or "", reason) is not None

    @property
    def expected(self) -> str:
        return self.reason if self.reason is not None else f"/{self.reason_re}/"

    @property
    def upload_triggers(self) -> bool:
        """True when the input is the S3 event of one of the staged objects: in the workflow,
        staging the case is itself the upload that starts the execution."""
        if not (isinstance(self.input, dict) and self.input.get("source") == "aws.s3"):
            return False
        detail = self.input.get("detail") or {}
        key = ((detail.get("object") or {}) if isinstance(detail, dict) else {}).get("key")
        bucket = ((detail.get("bucket") or {}) if isinstance(detail, dict) else {}).get("name")
        return bucket == BUCKET and any(obj.key == key for obj in self.objects)


def _expand(value: Any, escape: bool = False) -> Any:
    if isinstance(value, list):
        return [_expand(item, escape) for item in value]
    if isinstance(value, dict):
        return {_expand(k, escape): _expand(v, escape) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    whole = _MACRO.fullmatch(value)
    if whole and whole.group("tags"):
        return {f"tag-{i:03d}": "value" for i in range(int(whole.group("tags")))}
    if whole and whole.group("nested"):
        nested: dict[str, Any] = {}
        for _ in range(int(whole.group("nested")) - 1):
            nested = {"a": nested}
        return nested

    def replace(match: re.Match[str]) -> str:
        if match.group("var"):
            text = _VARIABLES[match.group("var")]
        elif match.group("count"):
            text = match.group("text") * int(match.group("count"))
        else:
            raise ValueError(f"${{TAGS(...)}} and ${{NESTED(...)}} must be whole strings, in {value!r}")
        return re.escape(text) if escape else text

    return _MACRO.sub(replace, value)


def _body(spec: dict[str, Any]) -> bytes:
    if "text" in spec:
        return _expand(spec["text"]).encode("utf-8")
    if "json" in spec:
        return json.dumps(_expand(spec["json"])).encode("utf-8")
    if "base64" in spec:
        return base64.b64decode(spec["base64"])
    if "size" in spec:
        return (spec.get("fill", " ").encode("utf-8") * int(spec["size"]))[: int(spec["size"])]
    raise ValueError(f"staged object {spec.get('key')!r} needs text, json, base64 or size")


HF_CONFIG = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 2, "vocab_size": 8}


def _hf_folder(raw: dict[str, Any]) -> dict[str, Any]:
    """A case written with the hf_folder shorthand, as event and objects."""
    spec = raw["hf_folder"]
    prefix = f"incoming/{spec['folder']}/"
    config: dict[str, Any] = {"text": spec["config_text"]} if "config_text" in spec else {"json": spec.get("config", HF_CONFIG)}
    files: dict[str, Any] = {
        "config.json": config,
        "tokenizer.json": {"text": "{}"},
        "tokenizer_config.json": {"text": "{}"},
        "model.safetensors": {"text": "weights"},
    }
    for name, body in (spec.get("files") or {}).items():
        if body is None:
            files.pop(name, None)
        else:
            files[name] = body
    objects = [{"key": prefix + name, **body} for name, body in files.items()]
    objects.append({"key": prefix + "manifest.json", "json": spec.get("manifest", {})})
    return {**{k: v for k, v in raw.items() if k != "hf_folder"}, "event": {"key": prefix + "manifest.json"}, "objects": objects}


def _case(raw: dict[str, Any]) -> Case:
    if "hf_folder" in raw:
        raw = _hf_folder(raw)
    shapes = [name for name in ("input", "event", "manual_trigger") if name in raw]
    if len(shapes) != 1:
        raise ValueError(f"case {raw.get('name')!r} needs exactly one of input, event, manual_trigger; has {shapes}")
    if ("reason" in raw) == ("reason_re" in raw):
        raise ValueError(f"case {raw.get('name')!r} needs exactly one of reason, reason_re")
    if "event" in raw:
        spec = _expand(raw["event"])
        event_input: Any = s3_event(
            spec["key"],
            bucket=spec.get("bucket", BUCKET),
            version_id=spec.get("version-id"),
            sequencer=spec.get("sequencer", "0062E99A88DC407460"),
        )
    elif "manual_trigger" in raw:
        event_input = {"bucket": BUCKET, "key": _expand(raw["manual_trigger"])}
    else:
        event_input = _expand(raw["input"])
    return Case(
        name=raw["name"],
        about=raw.get("about", ""),
        input=event_input,
        objects=tuple(StagedObject(_expand(o["key"]), _body(o)) for o in raw.get("objects", ())),
        reason=_expand(raw["reason"]) if "reason" in raw else None,
        reason_re=_expand(raw["reason_re"], escape=True) if "reason_re" in raw else None,
        tags=tuple(raw.get("tags", ())),
    )


def load_cases(path: Path = CORPUS_FILE) -> list[Case]:
    """Every case of the corpus, in file order."""
    with path.open(encoding="utf-8") as handle:
        raw_cases = yaml.safe_load(handle)
    cases = [_case(raw) for raw in raw_cases]
    names = [case.name for case in cases]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"duplicate case names in {path.name}: {duplicates}")
    return cases


def stage(case: Case, s3: Any, bucket: str = BUCKET) -> list[dict[str, Any]]:
    """Put the case's objects into the artifact bucket (in file order: artifacts first, then the
    trigger file, as a user uploads them); returns the PutObject responses."""
    return [s3.put_object(Bucket=bucket, Key=obj.key, Body=obj.body) for obj in case.objects]
