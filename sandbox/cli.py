"""python -m sandbox run [--artifacts DIR] [--model-name NAME] [--event FILE] [--input FILE]
                       [--repeat N] [--bedrock active|failed|stuck|deployment-failed|slow-warmup] [--polls N] [--throttle P]
                       [--quota concurrent=N,models=M,model-units=U] [--deployment active|failed|stuck]
                       [--warmup N] [--invoke ok|error] [--parameter Key=Value ...] [--json]

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
REPEAT_MAX = 100  # EventBridge redelivers a few times, not thousands; more would only run for hours
# Far above what AWS takes (StartExecution: 256 KiB, PutEvents: 1 MB), so even a pretty-printed file
# fits; a bound so that --input /dev/zero ends with a line, not with the machine's memory.
JSON_FILE_MAX_BYTES = 8 * 1024 * 1024


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


def _quota(text: str) -> Any:
    from sandbox.quotas import Quotas

    try:
        return Quotas.parse(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--quota ")) from None


def _whole_number(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {_shown(text)}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def _positive(text: str) -> int:
    return _whole_number(text, 1)


def _count(text: str) -> int:
    return _whole_number(text, 0)


def _parameter(text: str) -> tuple[str, str]:
    from sandbox import parameters

    try:
        return parameters.parse(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    """The stack's parameters and the account's quotas (run and serve)."""
    parser.add_argument("--quota", metavar="concurrent=N,models=M,model-units=U", type=_quota, default=None,
                        help="make the emulated Bedrock enforce these account quotas (default: unlimited imports; "
                        "AWS's default Provisioned Throughput quotas)")
    parser.add_argument("--parameter", metavar="Key=Value", type=_parameter, action="append", default=[],
                        help="a stack parameter of template.yaml (repeatable), as CloudFormation takes it")


def checked_parameters(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """--parameter values as a dict, each given once and valid for template.yaml, else UsageError."""
    from sandbox import parameters
    from sandbox.session import ROOT

    given: dict[str, str] = {}
    for key, value in pairs:
        if key in given:
            raise UsageError(f"--parameter {key} is given twice; give each parameter once")
        given[key] = value
    try:
        parameters.check(given, parameters.template_parameters(ROOT))
    except ValueError as err:
        raise UsageError(str(err)) from None
    return given


def add_after_active_arguments(parser: argparse.ArgumentParser) -> None:
    """What the emulated Bedrock does after a model is Active (run and serve)."""
    parser.add_argument("--deployment", choices=("active", "failed", "stuck"), default="active",
                        help="what a custom model deployment, its update or a Provisioned Throughput does (default active)")
    parser.add_argument("--warmup", metavar="N", type=_count, default=0,
                        help="answer the first N invocations of each deployment, throughput or imported model with ModelNotReadyException")
    parser.add_argument("--invoke", choices=("ok", "error"), default="ok",
                        help="error: every Converse/InvokeModel answers ModelErrorException (default ok)")


#: --bedrock: the import's outcome, or one of the after-Active behaviours the issue names (each a
#: shorthand for an Active model plus --deployment failed / --warmup SLOW_WARMUP; the flags win when given).
BEDROCK_CHOICES = ("active", "failed", "stuck", "deployment-failed", "slow-warmup")
BEDROCK_HELP = ("what the emulated Bedrock does: the model ends active, failed or stuck; deployment-failed: the model is Active "
                "and its deployment fails; slow-warmup: invocations answer ModelNotReadyException a few times first")
SLOW_WARMUP = 3


def behaviour_from(args: argparse.Namespace) -> Any:
    from sandbox.bedrock import BedrockBehaviour

    outcome, deployment, warmup = args.bedrock, args.deployment, args.warmup
    if outcome == "deployment-failed":
        outcome, deployment = "active", "failed"
    elif outcome == "slow-warmup":
        outcome, warmup = "active", warmup or SLOW_WARMUP
    behaviour = BedrockBehaviour(outcome=outcome, polls=args.polls, deployment=deployment, warmup=warmup, invoke=args.invoke)
    if getattr(args, "quota", None) is not None:
        behaviour.quotas = args.quota
    return behaviour


def _repeat(text: str) -> int:
    value = _positive(text)
    if value > REPEAT_MAX:
        raise argparse.ArgumentTypeError(f"must be at most {REPEAT_MAX}, got {value}")
    return value


def _shown(text: str) -> str:
    """A name or value as one printable line, whatever bytes it holds (a file name need not be UTF-8)."""
    shown = "".join(
        f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else c if c.isprintable() else repr(c)[1:-1] for c in text
    )
    return f"'{shown}'"


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
    run.add_argument("--repeat", metavar="N", type=_repeat, default=1, help=f"deliver the same trigger N times (default 1, at most {REPEAT_MAX})")
    run.add_argument("--bedrock", choices=BEDROCK_CHOICES, default="active", help=BEDROCK_HELP)
    run.add_argument("--polls", metavar="N", type=_positive, default=2, help="status checks until the model leaves Creating (default 2)")
    run.add_argument("--throttle", metavar="P", type=_fraction, default=0.0, help="answer this fraction of Bedrock calls with ThrottlingException")
    add_stack_arguments(run)
    add_after_active_arguments(run)
    run.add_argument("--json", action="store_true", help="print one JSON document instead of the timeline")
    run.add_argument("--verbose", action="store_true", help="also print the handlers' logs (to stderr)")
    from sandbox import serve  # its options live with it

    serving = commands.add_parser("serve", help="serve the sandbox as a local AWS endpoint for the AWS CLI and SDKs",
                                  description="Deploy template.yaml into the embedded AWS and serve it over HTTP until Ctrl-C.")
    serve.add_arguments(serving, _positive, _fraction)
    add_stack_arguments(serving)
    add_after_active_arguments(serving)
    return parser


def _strict_json() -> Any:
    """The pipeline's own strict JSON parser (layers/common/model_import/strict_json.py), loaded by
    path: the layer is on sys.path only once the sandbox has deployed the stack."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "layers" / "common" / "model_import" / "strict_json.py"
    spec = importlib.util.spec_from_file_location("sandbox._strict_json", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read_json(path: Path, what: str) -> Any:
    shown = _shown(str(path))[1:-1]
    try:
        with path.open("rb") as handle:
            data = handle.read(JSON_FILE_MAX_BYTES + 1)
    except OSError as err:
        raise UsageError(f"cannot read the {what} file {shown}: {err.strerror or err}") from None
    if len(data) > JSON_FILE_MAX_BYTES:
        raise UsageError(f"the {what} file {shown} is larger than {JSON_FILE_MAX_BYTES // (1024 * 1024)} MiB; "
                         "AWS takes at most 256 KiB as an execution input and 1 MB as an event")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"the {what} file {shown} is not UTF-8 text") from None
    strict = _strict_json()
    try:
        return strict.loads(text)
    except strict.StrictJsonError as err:
        raise UsageError(f"the {what} file {shown} {err}") from None


def _check_folder_name(name: str, option: str) -> None:
    """A model folder name that can be one S3 key segment, or UsageError saying why not."""
    if not name:
        raise UsageError(f"{option} '' is empty; give a model name such as 'my-model'")
    if "/" in name or name in (".", ".."):
        raise UsageError(f"{option} {_shown(name)}: must be one folder name, without '/' and not '.' or '..'")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{option} {_shown(name)}: is not valid UTF-8; S3 keys are UTF-8 text") from None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise UsageError(f"{option} {_shown(name)}: holds a control character; give a model name such as 'my-model'")


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
            raise UsageError(f"--artifacts {_shown(str(args.artifacts))}: cannot read {_shown(str(err.filename))}: {err.strerror}") from None
        for path in files:
            relative = path.relative_to(args.artifacts).as_posix()
            try:
                relative.encode("utf-8")
            except UnicodeEncodeError:
                raise UsageError(
                    f"--artifacts {_shown(str(args.artifacts))}: the file name {_shown(relative)} is not valid UTF-8; "
                    "S3 keys are UTF-8 text: rename the file"
                ) from None
        if args.model_name is not None:
            _check_folder_name(args.model_name, "--model-name")
        else:
            _check_folder_name(args.artifacts.resolve().name, f"--artifacts {_shown(str(args.artifacts))}: the folder name")
    event = _read_json(args.event, "event") if args.event is not None else None
    if args.event is not None and not isinstance(event, dict):
        raise UsageError(f"the event file {args.event} must hold one JSON object (an EventBridge event)")
    checked_parameters(args.parameter)
    execution_input = _read_json(args.input, "input") if args.input is not None else None
    if args.input is not None:
        from sandbox import limits

        size = limits.input_size(json.dumps(execution_input))
        if size > limits.EXECUTION_INPUT_MAX_BYTES:  # refused before the sandbox starts, with AWS's words
            raise UsageError(f"StartExecution would refuse the input file {_shown(str(args.input))[1:-1]} ({size} bytes): "
                             f"ValidationException: {limits.INPUT_TOO_LARGE}")
    return event, execution_input


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        if args.command == "serve":
            from sandbox.serve import serve

            checked_parameters(args.parameter)
            return serve(args, out, err)
        event, execution_input = _check(args)
    except UsageError as error:
        err.write(f"python -m sandbox: error: {error}\n")
        return EXIT_USAGE
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    return run(args, event, execution_input, out, err)


def run(args: argparse.Namespace, event: Any, execution_input: Any, out: TextIO, err: TextIO) -> int:
    from sandbox.faults import Faults
    from sandbox.session import Sandbox, registry_group
    from sandbox.timeline import Timeline, notification_lines

    started = time.monotonic()
    behaviour = behaviour_from(args)
    human = not args.json
    # A Model Registry approval: the stack is deployed as its team would, with the event's group in
    # ModelPackageGroupNames (which creates the approval rule). --parameter values win.
    group = registry_group(event)
    parameters = {**({"ModelPackageGroupNames": group} if group else {}), **dict(args.parameter)} or None
    faults = Faults.throttle_bedrock(args.throttle)
    with Sandbox(bedrock=behaviour, faults=faults, parameters=parameters, echo_logs=err if args.verbose else None) as sb:
        if human:
            out.write(f"Sandbox ready in {time.monotonic() - started:.2f} s: stack {sb.stack.name}, bucket {sb.bucket}\n")
        staging = args.event is not None or args.input is not None  # an input of null is still the input
        acting = time.monotonic()
        if args.artifacts is not None:
            keys = sb.upload_folder(args.artifacts, args.model_name, emit=not staging, repeat=args.repeat)
            if human:
                how = "staged (no event)" if staging else "uploaded"
                out.write(f"{how} {len(keys)} files to s3://{sb.bucket}/{keys[-1].rsplit('/', 1)[0]}/ (trigger file last)\n")
        if event is not None:
            sb.put_event(event, repeat=args.repeat)
        if args.input is not None:
            refused = _start_all(sb, execution_input, args)
            if refused:
                err.write(f"python -m sandbox: error: {refused}\n")
                return EXIT_USAGE
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
        deployments = sb.deployments()
        ok = bool(executions) and bool(messages) and all(m.body.get("outcome") == "ACTIVE" for m in messages)
        if human:
            refused = [d for d in sb.router.deliveries if d.rule and d.error]
            for delivery in refused:  # the rule matched, its target did not start: EventBridge dead-letters the event
                out.write(f"Rule {delivery.rule} matched, but starting the state machine failed: {delivery.error}. "
                          "EventBridge sent the event to the dead-letter queue.\n")
            if not executions and not refused:
                out.write("No execution started: no rule matched the event (check the bucket, the key and the trigger file name).\n")
            out.writelines("\n".join(notification_lines(index, len(messages), message.subject, message.body)) + "\n" for index, message in enumerate(messages, start=1))
            out.write(_summary(executions, messages, models, time.monotonic() - started, deployments) + "\n")
        else:
            document = {
                "executions": [_execution_json(e, sb.history(e.arn)) for e in executions],
                "notifications": [m.body for m in messages],
                "models": models,
                # Addition: every custom model deployment and Provisioned Throughput in the sandbox.
                "deployments": deployments,
                # Additions: what a subscriber sees besides the body, in the order of "notifications".
                "messages": [
                    {"executionArn": m.body.get("executionArn"), "subject": m.subject, "attributes": m.attributes, "messageId": m.message_id}
                    for m in messages
                ],
            }
            out.write(json.dumps(document, indent=2, default=str) + "\n")
    return EXIT_OK if ok else EXIT_NOT_ACTIVE


def _start_all(sb: Any, execution_input: Any, args: argparse.Namespace) -> str | None:
    """Start the --input execution(s); the reason StartExecution refused it, or None."""
    from botocore.exceptions import ClientError

    for _ in range(args.repeat):
        try:
            sb.start_execution(execution_input)
        except ClientError as refused:
            error = refused.response.get("Error", {})
            return f"StartExecution refused the input file {_shown(str(args.input))[1:-1]}: {error.get('Code')}: {error.get('Message')}"
    return None


_STEP_FAILURES = ("LambdaFunctionFailed", "LambdaFunctionTimedOut", "TaskFailed", "TaskTimedOut")


def _execution_json(execution: Any, history: list[dict[str, Any]]) -> dict[str, Any]:
    """An execution as --json shows it: the stable keys, then (additions) what explains its end:
    its own error and cause, and the last error a step raised (retried or caught), from its history."""
    stopped = execution.stopped.isoformat() if execution.stopped else None
    state, last_error = None, None
    for event in history:
        if "stateEnteredEventDetails" in event:
            state = event["stateEnteredEventDetails"]["name"]
        elif event["type"] in _STEP_FAILURES:
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
            last_error = {"state": state, "error": details.get("error"), "cause": details.get("cause")}
    return {
        **execution.to_json(),
        "name": execution.name,
        "error": execution.error,
        "cause": execution.cause,
        "lastStepError": last_error,
        "startedAt": execution.started.isoformat(),
        "stoppedAt": stopped,
    }


def _definition(sb: Any) -> str:
    with sb.faults.suspended():
        return sb._client("stepfunctions").describe_state_machine(stateMachineArn=sb.state_machine_arn)["definition"]


def _summary(executions: list[Any], messages: list[Any], models: list[dict[str, Any]], seconds: float,
             deployments: list[dict[str, Any]] | None = None) -> str:
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
    if deployments:  # only when there are any: the line stays as it was for imports alone
        kinds = counts([str(d["mode"]) + " " + str(d["status"]) for d in deployments])
        parts.append(f"{len(deployments)} deployment{'s' if len(deployments) != 1 else ''} ({kinds})")
    ok = executions and messages and all(m.body.get("outcome") == "ACTIVE" for m in messages)
    return f"{'OK' if ok else 'NOT ACTIVE'}: " + ", ".join(parts) + f" in {seconds:.2f} s"
