"""Helpers for the workflow tests: model folders, and reading an execution's history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
BUCKET = "model-import-sandbox"
ESCROW_URI = f"s3://customer-escrow-{ACCOUNT}-smtj-abc123/nova-micro-sft/step_100/"


SAMPLE_EVENT = Path(__file__).resolve().parents[2] / "events" / "s3-object-created.json"
SAMPLE_MANIFEST = Path(__file__).resolve().parents[2] / "examples" / "nova-micro-demo" / "manifest.json"
#: Where examples/nova-micro-demo's manifest puts its checkpoint (the sandbox stages it there).
SAMPLE_ESCROW_URI = json.loads(SAMPLE_MANIFEST.read_text())["checkpoint_s3_bucket"]


def s3_event(key: str, bucket: str = BUCKET, detail_type: str = "Object Created") -> dict[str, Any]:
    """The sample S3 EventBridge event (events/s3-object-created.json) for another key or bucket."""
    event = json.loads(SAMPLE_EVENT.read_text())
    event["detail"]["object"]["key"] = key
    event["detail"]["bucket"]["name"] = bucket
    event["resources"] = [f"arn:aws:s3:::{bucket}"]
    event["detail-type"] = detail_type
    return event


def escrow_manifest(name: str) -> dict[str, str]:
    """A SageMaker training manifest naming a checkpoint in the account's escrow bucket."""
    return {"checkpoint_s3_bucket": f"{ESCROW_ROOT}{name}/step_100/"}


ESCROW_ROOT = f"s3://customer-escrow-{ACCOUNT}-smtj-sandbox/"
ESCROW = object()  # model_folder's default manifest: escrow_manifest(name)


def model_folder(root: Path, name: str, manifest: Any = ESCROW, files: dict[str, bytes] | None = None) -> Path:
    """A model folder as a SageMaker training job leaves it: checkpoint files, and by default a
    manifest.json naming their escrow URI (the sandbox puts the files there). manifest=None: no
    manifest.json (the trigger is then `{}`). A manifest given as bytes or str is written as it
    is; anything else as JSON."""
    if manifest is ESCROW:
        manifest = escrow_manifest(name)
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for relative, data in (files if files is not None else {"checkpoint/model.safetensors": b"weights"}).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if manifest is not None:
        raw = manifest if isinstance(manifest, (bytes, str)) else json.dumps(manifest)
        (folder / "manifest.json").write_bytes(raw.encode() if isinstance(raw, str) else raw)
    return folder


def states_entered(history: list[dict[str, Any]]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]


def attempts(history: list[dict[str, Any]], state: str) -> list[str | None]:
    """Each attempt of a Task state's every run, in order: the error name, or None if it succeeded."""
    current = None
    result: list[str | None] = []
    for event in history:
        if "stateEnteredEventDetails" in event:
            current = event["stateEnteredEventDetails"]["name"]
            continue
        if current != state:
            continue
        if event["type"] in ("LambdaFunctionSucceeded", "TaskSucceeded"):
            result.append(None)
        elif event["type"] in ("LambdaFunctionFailed", "TaskFailed", "LambdaFunctionTimedOut", "TaskTimedOut"):
            details = next(v for k, v in event.items() if k.endswith("EventDetails"))
            result.append(details.get("error"))
    return result


def caught_error(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The $.error a Catch recorded (the input of the Record* state that followed), if any."""
    for event in history:
        details = event.get("stateEnteredEventDetails")
        if details and details["name"] in ("RecordRejection", "RecordError"):
            return json.loads(details["input"]).get("error")
    return None
