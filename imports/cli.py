"""python -m imports list|show: what happened to my upload.

Exit status: 0 on success; 2 with one line on stderr for anything the user must fix (no
credentials, no such stack, a stack that is not this application, no such import, bad usage)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

from imports import render
from imports.after_active import deployment_phase, smoke_test_phase
from imports.aws import Clients, one_line_errors
from imports.errors import StatusError
from imports.progress import Progress
from imports.record import DUPLICATE, OUTCOMES, ImportRecord
from imports.source import Source, sort_time
from imports.stack import find_stack
from imports.timeline import execution_end, last_state_data, steps

_SINCE = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise StatusError(f"{message} (see: {self.prog} --help)")


def since(text: str) -> timedelta:
    match = _SINCE.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"--since takes a positive number and a unit s, m, h, d or w, e.g. 24h or 7d; got {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def outcomes(text: str) -> set[str]:
    chosen = {part.strip().upper() for part in text.split(",") if part.strip()}
    unknown = chosen - set(OUTCOMES)
    if not chosen or unknown:
        raise argparse.ArgumentTypeError(f"--outcome takes {', '.join(OUTCOMES)} (comma-separated); got {text!r}")
    return chosen


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--stack", default=os.environ.get("STACK"), help="the stack's name (default: $STACK)")
    common.add_argument("--region", help="AWS region (default: your AWS configuration)")
    common.add_argument("--profile", help="AWS profile (default: your AWS configuration)")
    common.add_argument("--json", action="store_true", help="print one JSON document for scripts")
    top = _Parser(prog="python -m imports", description="What happened to my upload: the model imports of a deployed stack.")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    listing = commands.add_parser("list", parents=[common], help="recent imports, newest first")
    listing.add_argument("--since", type=since, default=timedelta(hours=24), help="how far back, e.g. 30m, 24h (default), 7d")
    listing.add_argument("--outcome", type=outcomes, help=f"only these outcomes, comma-separated: {', '.join(OUTCOMES)}")
    listing.add_argument("--limit", type=int, help="at most this many imports (the newest)")
    show = commands.add_parser("show", parents=[common], help="one import's timeline, notification and reason")
    show.add_argument("target", help="a model name, the trigger's S3 key (or s3:// URI), or an execution ARN")
    show.add_argument("--since", type=since, default=None, help="search only imports started this recently (default: all)")
    return top


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        if not args.stack:
            raise StatusError("no stack: pass --stack NAME (or set STACK), e.g. --stack bedrock-model-import")
        with one_line_errors():
            clients = Clients(region=args.region, profile=args.profile)
            stack = find_stack(clients("cloudformation"), args.stack)
            now = datetime.now(timezone.utc)
            if args.command == "list":
                text = _list(args, clients, stack, now)
            else:
                text = _show(args, clients, stack, now)
    except StatusError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(text)
    return 0


def _list(args: argparse.Namespace, clients: Clients, stack: Any, now: datetime) -> str:
    source = Source(clients, stack, Progress("reading imports", enabled=not args.json or sys.stderr.isatty()))
    records = source.records(now - args.since)
    if args.outcome:
        records = [r for r in records if r.outcome in args.outcome]
    if args.limit is not None:
        records = records[: max(args.limit, 0)]
    return render.list_json(records, now, stack.name) if args.json else render.list_table(records, now)


def _show(args: argparse.Namespace, clients: Clients, stack: Any, now: datetime) -> str:
    source = Source(clients, stack)
    arn = _find(source, args.target, now - args.since if args.since else None)
    events = source.history(arn)
    record = source.record(arn, events)
    timeline = steps(events)
    notification = _notification(source, arn, timeline)
    end = execution_end(events)
    after = {"deployment": deployment_phase(timeline), "smoke_test": smoke_test_phase(timeline)}
    render_show = render.show_json if args.json else render.show_text
    return render_show(record, timeline, notification, end, now, **after)


def _find(source: Source, target: str, since: datetime | None) -> str:
    """The execution ARN for an ARN, a trigger key (or s3:// URI) or a model name: the newest import
    that matches, preferring the import itself over a duplicate delivery of it."""
    if target.startswith("arn:"):
        if ":execution:" not in target:
            raise StatusError(f"{target!r} is not an execution ARN (arn:aws:states:<region>:<account>:execution:...)")
        machine = source.stack.state_machine_arn.split(":stateMachine:")[-1]
        if target.split(":execution:")[-1].split(":")[0] != machine:
            raise StatusError(f"{target!r} is not an execution of stack {source.stack.name!r}'s state machine ({machine})")
        return target
    best: ImportRecord | None = None
    for summary in source.summaries(since):
        if best is not None and best.outcome != DUPLICATE and sort_time(summary) < best.started:
            break  # everything from here on started before the best match
        record = source.record(summary["executionArn"])
        if target not in (record.model_name, record.source, (record.trigger or {}).get("key")):
            continue
        if best is None or _better(record, best):
            best = record
    if best is not None:
        return best.execution_arn
    period = " in this period" if since else ""
    raise StatusError(f"no import of {target!r}{period} in stack {source.stack.name!r}: give a model name, the trigger's key, or an execution ARN (see: python -m imports list)")


def _better(record: ImportRecord, than: ImportRecord) -> bool:
    """The import itself before a duplicate delivery of it; then the later one."""
    return (record.outcome != DUPLICATE, record.started) > (than.outcome != DUPLICATE, than.started)


def _notification(source: Source, arn: str, timeline: list[Any]) -> dict[str, Any] | None:
    """The notification this execution sent: rebuilt from PublishResult's input with the shared
    layer's build_notification and the ledger's notifiedAt (the finishedAt it was sent with)."""
    from imports.layer import build_notification

    publish = next((s for s in reversed(timeline) if s.state == "PublishResult"), None)
    if publish is None or not isinstance(publish.input, dict) or not isinstance(publish.output, dict):
        return None
    result = publish.output.get("notification") or {}
    if not result.get("published"):
        return None
    item = source.ledger_item_for(publish.input) or {}
    ours = item.get("notifiedBy") == arn
    finished = item.get("notifiedAt") if ours else None
    body = build_notification(publish.input, finished or publish.exited.isoformat())
    return {
        "body": body,
        "messageId": item.get("messageId") if ours else None,
        "publishedAt": item.get("publishedAt") if ours else None,
        "finishedAtExact": bool(finished),
        "publishResult": result,
    }
