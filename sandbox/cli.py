"""python -m sandbox run [--artifacts DIR] [--model-name NAME] [--event FILE] [--input FILE]
                       [--repeat N] [--bedrock active|failed|stuck] [--polls N] [--throttle P] [--json]

Exit status: 0 when at least one execution ran and every notification's outcome is ACTIVE;
1 otherwise (including when nothing started); 2 for bad usage or an unreadable file.
Scripts depend on these options and on the --json document: keep them stable.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, NoReturn, TextIO

EXIT_OK, EXIT_NOT_ACTIVE, EXIT_USAGE = 0, 1, 2
RUN_TIMEOUT_SECONDS = 600.0


class UsageError(Exception):
    """Bad usage or an unreadable file: one line for the user, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m sandbox", description="Run the model import workflow offline, on the real template.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser(
        "run",
        help="deploy template.yaml into the embedded AWS and run one import",
        description="Deploy template.yaml into an embedded AWS (moto) and run the workflow: upload a model folder, "
        "put an EventBridge event, or start an execution by hand.",
    )
    run.add_argument("--artifacts", metavar="DIR", type=Path, help="upload DIR's files to incoming/<name>/, then the trigger file")
    run.add_argument("--model-name", metavar="NAME", help="the folder name under incoming/ (default: DIR's base name)")
    run.add_argument("--event", metavar="FILE", type=Path, help="put this EventBridge event on the default bus as it is")
    run.add_argument("--input", metavar="FILE", type=Path, help="start an execution with this input (as the console does)")
    run.add_argument("--repeat", metavar="N", type=_positive, default=1, help="deliver the same trigger N times (default 1)")
    run.add_argument("--bedrock", choices=("active", "failed", "stuck"), default="active", help="what the emulated Bedrock does")
    run.add_argument("--polls", metavar="N", type=_positive, default=2, help="status checks until the model leaves Creating (default 2)")
    run.add_argument("--throttle", metavar="P", type=_fraction, default=0.0, help="answer this fraction of Bedrock calls with ThrottlingException")
    run.add_argument("--json", action="store_true", help="print one JSON document instead of the timeline")
    run.add_argument("--verbose", action="store_true", help="also print the handlers' logs (to stderr)")
    return parser


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise UsageError(f"cannot read the {what} file {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise UsageError(f"the {what} file {path} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise UsageError(f"the {what} file {path} is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from None


def _check(args: argparse.Namespace) -> tuple[Any, Any]:
    if args.artifacts is None and args.event is None and args.input is None:
        raise UsageError("nothing to run: give --artifacts DIR, --event FILE or --input FILE")
    if args.event is not None and args.input is not None:
        raise UsageError("give --event or --input, not both")
    if args.model_name is not None and args.artifacts is None:
        raise UsageError("--model-name names the folder --artifacts uploads; give --artifacts too")
    if args.artifacts is not None:
        if not args.artifacts.is_dir():
            raise UsageError(f"--artifacts {args.artifacts}: not a readable directory")
        try:
            files = [p for p in args.artifacts.rglob("*") if p.is_file()]
            for path in files:
                with path.open("rb"):
                    pass
        except OSError as err:
            raise UsageError(f"--artifacts {args.artifacts}: cannot read {err.filename}: {err.strerror}") from None
        name = args.model_name or args.artifacts.resolve().name
        if not name or "/" in name:
            raise UsageError(f"--model-name {name!r}: must be one folder name, without '/'")
    event = _read_json(args.event, "event") if args.event is not None else None
    if args.event is not None and not isinstance(event, dict):
        raise UsageError(f"the event file {args.event} must hold one JSON object (an EventBridge event)")
    execution_input = _read_json(args.input, "input") if args.input is not None else None
    return event, execution_input


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        event, execution_input = _check(args)
    except UsageError as error:
        err.write(f"python -m sandbox: error: {error}\n")
        return EXIT_USAGE
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    return run(args, event, execution_input, out, err)


def run(args: argparse.Namespace, event: Any, execution_input: Any, out: TextIO, err: TextIO) -> int:
    from sandbox.bedrock import BedrockBehaviour
    from sandbox.faults import Faults
    from sandbox.session import Sandbox, registry_group
    from sandbox.timeline import Timeline, notification_lines

    started = time.monotonic()
    behaviour = BedrockBehaviour(outcome=args.bedrock, polls=args.polls)
    human = not args.json
    # A Model Registry approval: the stack is deployed as its team would, with the event's group in
    # ModelPackageGroupNames (which creates the approval rule).
    group = registry_group(event)
    parameters = {"ModelPackageGroupNames": group} if group else None
    faults = Faults.throttle_bedrock(args.throttle)
    with Sandbox(bedrock=behaviour, faults=faults, parameters=parameters, echo_logs=err if args.verbose else None) as sb:
        if human:
            out.write(f"Sandbox ready in {time.monotonic() - started:.2f} s: stack {sb.stack.name}, bucket {sb.bucket}\n")
        staging = event is not None or execution_input is not None
        acting = time.monotonic()
        if args.artifacts is not None:
            keys = sb.upload_folder(args.artifacts, args.model_name, emit=not staging, repeat=args.repeat)
            if human:
                how = "staged (no event)" if staging else "uploaded"
                out.write(f"{how} {len(keys)} files to s3://{sb.bucket}/{keys[-1].rsplit('/', 1)[0]}/ (trigger file last)\n")
        if event is not None:
            sb.put_event(event, repeat=args.repeat)
        if execution_input is not None:
            for _ in range(args.repeat):
                sb.start_execution(execution_input)
        timeline = Timeline(out, json.loads(_definition(sb)), sb.clock.scale, acting) if human else None
        deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
        while True:
            running = sb.running()
            if timeline is not None:
                timeline.follow([e.arn for e in sb.executions()], sb.raw_history)
            if not running or time.monotonic() > deadline:
                break
            time.sleep(0.005)
        executions = sb.executions()
        messages = sb.messages()
        models = sb.models()
        ok = bool(executions) and bool(messages) and all(m.body.get("outcome") == "ACTIVE" for m in messages)
        if human:
            if not executions:
                out.write("No execution started: no rule matched the event (check the bucket, the key and the trigger file name).\n")
            out.writelines("\n".join(notification_lines(index, len(messages), message.subject, message.body)) + "\n" for index, message in enumerate(messages, start=1))
            out.write(_summary(executions, messages, models, time.monotonic() - started) + "\n")
        else:
            document = {
                "executions": [e.to_json() for e in executions],
                "notifications": [m.body for m in messages],
                "models": models,
            }
            out.write(json.dumps(document, indent=2, default=str) + "\n")
    return EXIT_OK if ok else EXIT_NOT_ACTIVE


def _definition(sb: Any) -> str:
    with sb.faults.suspended():
        return sb._client("stepfunctions").describe_state_machine(stateMachineArn=sb.state_machine_arn)["definition"]


def _summary(executions: list[Any], messages: list[Any], models: list[dict[str, Any]], seconds: float) -> str:
    def counts(values: list[str]) -> str:
        tally: dict[str, int] = {}
        for value in values:
            tally[value] = tally.get(value, 0) + 1
        return ", ".join(f"{n} {v}" for v, n in tally.items())

    parts = [
        f"{len(executions)} execution{'s' if len(executions) != 1 else ''}" + (f" ({counts([e.status for e in executions])})" if executions else ""),
        f"{len(messages)} notification{'s' if len(messages) != 1 else ''}" + (f" ({counts([str(m.body.get('outcome')) for m in messages])})" if messages else ""),
        f"{len(models)} model{'s' if len(models) != 1 else ''}" + (f" ({counts([str(m['modelStatus']) for m in models])})" if models else ""),
    ]
    ok = executions and messages and all(m.body.get("outcome") == "ACTIVE" for m in messages)
    return f"{'OK' if ok else 'NOT ACTIVE'}: " + ", ".join(parts) + f" in {seconds:.2f} s"
