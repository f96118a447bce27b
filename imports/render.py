"""Tables for a terminal; --json documents for scripts."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from imports.after_active_text import deployment_lines, smoke_test_lines
from imports.record import AFTER_IMPORT_TEXT, DUPLICATE, ImportRecord, compact
from imports.timeline import Step

_POLL_LOOP = ("WaitBeforeCheck", "CheckImportStatus", "IsModelReady")


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def when(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def outcome_text(record: ImportRecord) -> str:
    if record.outcome == "RUNNING":
        if record.deployment and record.deployment.get("status"):  # the loop now follows the deployment
            status = f" (deployment {record.deployment['status']})"
        else:
            status = f" ({record.model_status})" if record.model_status else ""
        return f"{record.state or 'starting'}{status}"
    text = record.outcome
    if record.after_import:
        text += f" ({AFTER_IMPORT_TEXT[record.after_import]})"
    if record.notified is False:
        text += " (not notified)"
    if record.duplicates:
        text += f" (+{len(record.duplicates)} duplicate {'delivery' if len(record.duplicates) == 1 else 'deliveries'})"
    return text


def deployment_text(record: ImportRecord) -> str:
    """The DEPLOYMENT column: mode and Bedrock's status (NotCreated: Bedrock refused it), or '-'."""
    deployed = record.deployment
    if not deployed:
        return "-"
    return f"{deployed.get('mode') or '?'} {deployed.get('status') or '?'}"


def smoke_text(record: ImportRecord) -> str:
    """The SMOKE column: 'ok 412ms', 'FAILED', or '-' (none asked for, or not run yet)."""
    tested = record.smoke_test
    if not tested:
        return "-"
    if tested.get("ok"):
        return f"ok {tested['latencyMs']}ms" if tested.get("latencyMs") is not None else "ok"
    return "FAILED"


def table(rows: list[list[str]], header: list[str]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]


def list_table(records: list[ImportRecord], now: datetime) -> str:
    if not records:
        return "No imports in this period."
    rows = [
        [when(r.started), duration(r.duration_seconds(now)), outcome_text(r), r.model_name or "-", r.import_api,
         deployment_text(r), smoke_text(r), compact(r.source, 70)]
        for r in records
    ]
    lines = table(rows, ["STARTED", "DURATION", "OUTCOME/STATE", "MODEL", "API", "DEPLOYMENT", "SMOKE", "TRIGGER"])
    out = [lines[0]]
    for line, record in zip(lines[1:], records):
        out.append(line)
        if record.model_arn:
            out.append(f"    model:    {record.model_arn}")
        if record.deployment and record.deployment.get("arn"):
            out.append(f"    deployed: {record.deployment['arn']}{_deployment_note(record.deployment)}")
        if record.reason:
            out.append(f"    reason:   {compact(record.reason, 160)}")
        if record.outcome == DUPLICATE:
            out.append(f"    duplicate delivery of {record.duplicate_of or 'an earlier import'}: no second model, no second notification")
        for arn in record.duplicates:
            out.append(f"    duplicate: {arn.rsplit(':', 1)[-1]} (the same upload delivered again: ignored)")
        out.append(f"    console:  {record.console_url}")
    return "\n".join(out)


def _deployment_note(deployed: dict[str, Any]) -> str:
    notes = []
    if deployed.get("replacedModelArn"):
        notes.append(f"replacing {deployed['replacedModelArn']}")
    if deployed.get("mode") == "provisioned":
        notes.append("Provisioned Throughput: billed hourly until deleted")
    return f" ({'; '.join(notes)})" if notes else ""


def list_json(records: list[ImportRecord], now: datetime, stack: str) -> str:
    return json.dumps({"stack": stack, "imports": [r.to_json(now) for r in records]}, indent=2)


def _grouped(steps: list[Step]) -> list[tuple[str, list[Step]]]:
    """Consecutive status-check loops without errors become one group: a long import polls
    hundreds of times, and the lines that matter are the first and last."""
    groups: list[tuple[str, list[Step]]] = []
    for step in steps:
        quiet = step.state in _POLL_LOOP and not step.errors
        if quiet and groups and groups[-1][0] == "poll":
            groups[-1][1].append(step)
        else:
            groups.append(("poll" if quiet else "step", [step]))
    return groups


def _last_status(group: list[Step]) -> tuple[str, str | None]:
    """('deployment ' or '', the last status a check in this group reported): the model's, or its
    deployment's once the loop follows the deployment."""
    for step in reversed(group):
        if step.state == "CheckImportStatus" and isinstance(step.output, dict):
            model = step.output.get("model") if isinstance(step.output.get("model"), dict) else {}
            deployed = model.get("deployment")
            if isinstance(deployed, dict):
                return "deployment ", deployed.get("status")
            return "", model.get("modelStatus")
    return "", None


def show_text(record: ImportRecord, steps: list[Step], notification: dict[str, Any] | None, end: dict[str, Any] | None, now: datetime,
              deployment: dict[str, Any] | None = None, smoke_test: dict[str, Any] | None = None) -> str:
    out = [
        f"Import of {record.model_name or '(no model name)'}: {outcome_text(record)}",
        f"  trigger:    {record.source}",
        f"  API:        {record.import_api}",
        f"  model:      {record.model_arn or '-'}" + (f" ({record.model_status})" if record.model_status else ""),
        f"  source:     {record.source_uri or '-'}",
        f"  started:    {when(record.started)}, " + (f"took {duration(record.duration_seconds(now))}" if record.stopped else f"running for {duration(record.duration_seconds(now))}"),
        f"  execution:  {record.execution_arn}",
        f"  console:    {record.console_url}",
    ]
    if record.duplicate_of:
        out.append(f"  duplicate delivery of: {record.duplicate_of}")
    if record.reason:
        out.append(f"  reason:     {record.reason}")
    out += deployment_lines(deployment)
    out += smoke_test_lines(smoke_test)
    out += ["", "Timeline:"]
    for kind, group in _grouped(steps):
        first = group[0]
        if kind == "poll" and len(group) > 3:
            checks = sum(1 for s in group if s.state == "CheckImportStatus")
            what, last_status = _last_status(group)
            out.append(f"  {when(first.entered)}  {what}status checks x{checks} (WaitBeforeCheck -> CheckImportStatus -> IsModelReady), last status {last_status or '-'}")
            continue
        for step in group:
            if step.type == "Fail" and not step.exited:
                took = ""  # botocore's HistoryEventType has FailStateEntered and no FailStateExited
            else:
                took = f" {duration((step.exited - step.entered).total_seconds())}" if step.exited else " (now)"
            retries = f", {step.retries} retr{'y' if step.retries == 1 else 'ies'}" if step.retries else ""
            out.append(f"  {when(step.entered)}  {step.state}{took}{retries}")
            for error in step.errors:
                out.append(f"      {when(error['at'])}  {error['error']}: {error['message'] or ''}")
    if end and end["type"] != "ExecutionSucceeded":
        out.append(f"  {when(end['at'])}  {end['type']}: {end.get('error') or ''}")
    out += ["", "Notification:"]
    if notification is None:
        out.append("  none (this execution did not notify: still running, a duplicate delivery, or PublishResult failed)")
    else:
        for key in ("messageId", "publishedAt"):
            if notification.get(key):
                out.append(f"  {key}: {notification[key]}")
        out.append("  " + json.dumps(notification["body"], indent=2).replace("\n", "\n  "))
    return "\n".join(out)


def show_json(record: ImportRecord, steps: list[Step], notification: dict[str, Any] | None, end: dict[str, Any] | None, now: datetime,
              deployment: dict[str, Any] | None = None, smoke_test: dict[str, Any] | None = None) -> str:
    document = {
        "import": record.to_json(now),
        "timeline": [s.to_json() for s in steps],
        "end": {**end, "at": end["at"].isoformat()} if end else None,
        "notification": notification,
        # Added later (additive): the phase after Active, from the timeline (imports/after_active.py).
        "deployment": deployment,
        "smokeTest": smoke_test,
    }
    return json.dumps(document, indent=2, default=str)
