"""`show`'s sections for the phase after Active (imports/after_active.py's documents as text): the
deployment with its status checks, and the smoke test with its attempts."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def _clock(text: str) -> str:
    """An ISO time from the timeline documents, as render.when prints a time."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def deployment_lines(phase: dict[str, Any] | None) -> list[str]:
    """The deployment section of `show`: what StartDeployment did, then each status check (a run of
    the same status is one line: a Provisioned Throughput may take many checks)."""
    if phase is None:
        return []
    out = ["", "Deployment (after Active):"]
    units = f", {phase['modelUnits']} model unit{'s' if phase['modelUnits'] != 1 else ''}, no commitment" if phase.get("mode") == "provisioned" and phase.get("modelUnits") else ""
    out.append(f"  mode:       {phase.get('mode') or '-'} {phase.get('name') or ''}".rstrip() + units)
    if phase.get("action"):
        out.append(f"  started:    {_clock(phase['startedAt'])}, {phase['action']}")
    out.append(f"  arn:        {phase.get('arn') or '-'}")
    if phase.get("replacedModelArn"):
        out.append(f"  replaced:   {phase['replacedModelArn']} (the model this name served before; not deleted)")
    out.append(f"  status:     {phase.get('status') or '-'}" + (f": {phase['failureMessage']}" if phase.get("failureMessage") else ""))
    if phase.get("mode") == "provisioned" and phase.get("arn"):
        out.append(f"  billing:    hourly until deleted: aws bedrock delete-provisioned-model-throughput --provisioned-model-id {phase['arn']}")
    if phase.get("error"):
        error = phase["error"]
        out.append(f"  error:      {error['error']}: {error['message'] or ''}")
    runs: list[tuple[str, int, str, str]] = []  # (status or error, count, first at, last at)
    for check in phase["checks"]:
        label = check.get("status") or f"{check.get('error')}: {check.get('message') or ''}"
        if runs and runs[-1][0] == label:
            runs[-1] = (label, runs[-1][1] + 1, runs[-1][2], check["at"])
        else:
            runs.append((label, 1, check["at"], check["at"]))
    number = 0
    for label, count, first, last in runs:
        span = f"check {number + 1}" if count == 1 else f"checks {number + 1}-{number + count}, until {_clock(last)}"
        out.append(f"  {_clock(first)}  {label} ({span})")
        number += count
    return out


def smoke_test_lines(phase: dict[str, Any] | None) -> list[str]:
    if phase is None:
        return []
    verdict = {True: "passed", False: "FAILED", None: "running"}[phase["ok"]]
    out = ["", "Smoke test:", f"  result:     {verdict}"]
    if phase.get("api"):
        out.append(f"  call:       {phase['api']} {phase.get('modelId') or ''}".rstrip())
    retried = f" ({phase['notReady']} x ModelNotReady: the model was still loading; retried with backoff)" if phase["notReady"] else ""
    out.append(f"  attempts:   {phase['attempts']}{retried}")
    for error in phase["errors"]:
        out.append(f"      {_clock(error['at'])}  {error['error']}: {error['message'] or ''}")
    if phase.get("latencyMs") is not None:
        out.append(f"  latency:    {phase['latencyMs']} ms")
    if phase.get("outputPreview") is not None:
        out.append(f"  answer:     {phase['outputPreview']!r}")
    if phase.get("error"):
        out.append(f"  error:      {phase['error']}")
    return out
