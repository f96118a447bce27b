"""The imports command's pure parts: arguments, one-line errors without AWS, the timeline and
record built from history events, and the progress line."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from imports.cli import main
from imports.progress import Progress
from imports.record import build_record, console_url
from imports.timeline import steps

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
ARN = "arn:aws:states:eu-west-1:111122223333:execution:machine:run-1"


def _no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, region: str | None = "eu-west-1") -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                 "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "empty").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    if region:
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)


@pytest.mark.parametrize(
    ("args", "region", "message"),
    [
        (["list", "--stack", "s"], "eu-west-1", "error: no AWS credentials found: run 'aws configure' or 'aws sso login', or set AWS_PROFILE"),
        (["list", "--stack", "s"], None, "error: no AWS region: pass --region or set AWS_DEFAULT_REGION (or a region in your AWS profile)"),
        (["list"], "eu-west-1", "error: no stack: pass --stack NAME (or set STACK), e.g. --stack bedrock-model-import"),
        (["list", "--stack", "s", "--profile", "nobody"], "eu-west-1", "error: cannot use AWS profile 'nobody'"),
        (["list", "--stack", "s", "--since", "yesterday"], "eu-west-1", "error: argument --since: --since takes a positive number"),
        (["show", "--stack", "s"], "eu-west-1", "error: the following arguments are required: target"),
        (["frobnicate"], "eu-west-1", "error: argument command: invalid choice: 'frobnicate'"),
    ],
)
def test_what_the_command_cannot_do_is_one_line_and_exit_status_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], region: str | None, message: str
) -> None:
    _no_aws(monkeypatch, tmp_path, region)
    monkeypatch.delenv("STACK", raising=False)
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(message) and err.count("\n") == 1


def _event(id_: int, kind: str, seconds: float, **details: object) -> dict[str, object]:
    key = {
        "StateEntered": "stateEnteredEventDetails", "StateExited": "stateExitedEventDetails",
        "LambdaFunctionFailed": "lambdaFunctionFailedEventDetails", "ExecutionFailed": "executionFailedEventDetails",
    }
    suffix = next((k for k in key if kind.endswith(k)), None)
    event: dict[str, object] = {"id": id_, "type": kind, "timestamp": T0 + timedelta(seconds=seconds)}
    if suffix:
        event[key[suffix]] = details
    return event


def test_a_timeline_counts_attempts_retries_and_errors_whatever_the_event_order() -> None:
    cause = json.dumps({"errorMessage": "Rate exceeded", "errorType": "BedrockThrottled", "stackTrace": []})
    events = [
        _event(1, "TaskStateEntered", 0, name="StartBedrockImport", input="{}"),
        _event(2, "LambdaFunctionScheduled", 0),
        _event(3, "LambdaFunctionFailed", 1, error="BedrockThrottled", cause=cause),
        _event(4, "LambdaFunctionScheduled", 3),
        _event(5, "LambdaFunctionSucceeded", 4),
        _event(6, "TaskStateExited", 4, name="StartBedrockImport", output='{"model": {}}'),
        _event(7, "WaitStateEntered", 4, name="WaitBeforeCheck", input="{}"),
    ]
    [create, wait] = steps(list(reversed(events)))  # GetExecutionHistory with reverseOrder
    assert (create.state, create.type, create.attempts, create.retries) == ("StartBedrockImport", "Task", 2, 1)
    assert create.errors[0]["error"] == "BedrockThrottled" and create.errors[0]["message"] == "Rate exceeded"
    assert create.exited == T0 + timedelta(seconds=4) and create.output == {"model": {}}
    assert (wait.state, wait.exited) == ("WaitBeforeCheck", None)


def test_an_import_whose_notification_failed_keeps_its_outcome_and_says_so() -> None:
    state = {
        "input": {"sourceUri": "s3://b/p/", "modelName": "m"},
        "execution": {"arn": ARN, "startedAt": T0.isoformat()},
        "request": {"modelName": "m", "sourceUri": "s3://b/p/", "clientRequestToken": "t", "importApi": "CreateModelImportJob"},
        "model": {"modelName": "m", "modelArn": "arn:aws:bedrock:eu-west-1:111122223333:custom-model/imported/x", "modelStatus": "Active"},
        "outcome": "ACTIVE",
        "error": {"Error": "NotificationUnavailable", "Cause": json.dumps({"errorMessage": "SNS is down"})},
    }
    execution = {"executionArn": ARN, "name": "run-1", "status": "FAILED", "error": "NotificationNotSent",
                 "startDate": T0, "stopDate": T0 + timedelta(minutes=5), "input": json.dumps(state["input"])}
    record = build_record(execution, "NotificationNotSent", state)
    assert (record.outcome, record.notified, record.import_api) == ("ACTIVE", False, "CreateModelImportJob")
    assert record.reason == "the notification was not sent: NotificationUnavailable: SNS is down"
    # A rejection whose notification failed: its reason comes from PublishResult's input.
    rejected = {**state, "outcome": "REJECTED", "model": None, "error": {"Error": "ImportRejected", "Cause": json.dumps({"errorMessage": "name taken"})}}
    record = build_record(execution, "NotificationNotSent", {**rejected, "error": state["error"]}, publish_input=rejected)
    assert record.outcome == "REJECTED"
    assert record.reason == "name taken; the notification was not sent: NotificationUnavailable: SNS is down"
    assert record.duration_seconds(T0) == 300
    assert record.source == 'manual {"sourceUri":"s3://b/p/","modelName":"m"}'


def test_an_import_that_never_got_past_its_start_is_shown_from_describe_execution_alone() -> None:
    execution = {"executionArn": ARN, "status": "ABORTED", "error": "Stopped", "cause": "by an operator",
                 "startDate": T0, "stopDate": T0, "input": "not json"}
    record = build_record(execution, "StartImport", None)
    assert (record.outcome, record.reason, record.model_name, record.import_api) == ("ABORTED", "Stopped: by an operator", None, "CreateCustomModel")


def test_console_links_follow_the_partition() -> None:
    assert console_url(ARN).startswith("https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:")
    assert console_url(ARN.replace("arn:aws:", "arn:aws-cn:").replace("eu-west-1", "cn-north-1")).startswith("https://cn-north-1.console.amazonaws.cn/")


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_progress_is_live_on_a_terminal_and_silent_elsewhere_while_fast() -> None:
    terminal, pipe = _Stream(True), _Stream(False)
    for stream in (terminal, pipe):
        progress = Progress("reading imports", stream=stream)
        progress.step(total=3)
        progress.finish()
    assert terminal.getvalue().startswith("\rreading imports: 1 of 3") and terminal.getvalue().endswith("\r\x1b[K")
    assert pipe.getvalue() == ""


class _FakeStepFunctions:
    """ListExecutions as its API reference orders it: running ones by startDate, others by stopDate."""

    def __init__(self, summaries: list[dict[str, object]], page_size: int = 2) -> None:
        self.summaries, self.page_size, self.pages_read = summaries, page_size, 0

    def list_executions(self, stateMachineArn: str, maxResults: int, nextToken: str | None = None) -> dict[str, object]:
        start = int(nextToken or 0)
        self.pages_read += 1
        page: dict[str, object] = {"executions": self.summaries[start : start + self.page_size]}
        if start + self.page_size < len(self.summaries):
            page["nextToken"] = str(start + self.page_size)
        return page


def _summary(name: str, start_hours_ago: float, stop_hours_ago: float | None) -> dict[str, object]:
    now = T0 + timedelta(days=10)
    summary: dict[str, object] = {"executionArn": f"{ARN[:-5]}{name}", "name": name, "startDate": now - timedelta(hours=start_hours_ago),
                                  "status": "RUNNING" if stop_hours_ago is None else "SUCCEEDED"}
    if stop_hours_ago is not None:
        summary["stopDate"] = now - timedelta(hours=stop_hours_ago)
    return summary


def test_since_follows_list_executions_sort_order_and_stops_paging_early() -> None:
    from imports.source import Source, sort_time
    from imports.stack import Stack

    summaries = [
        _summary("new-running", 1, None),
        _summary("long-one", 30, 2),  # started before the period, ended in it: not in the listing
        _summary("recent", 5, 3),
        _summary("old", 40, 39),  # sorted by its stop, before the period: paging stops here
        _summary("older", 50, 45),
        _summary("oldest", 60, 55),
    ]
    assert [sort_time(s) for s in summaries] == sorted((sort_time(s) for s in summaries), reverse=True)
    fake = _FakeStepFunctions(summaries)
    source = Source(lambda service: fake, Stack("s", "arn:aws:states:eu-west-1:111122223333:stateMachine:m", "t", {}))
    since = T0 + timedelta(days=10) - timedelta(hours=24)
    assert [s["name"] for s in source.summaries(since)] == ["new-running", "recent"]
    assert fake.pages_read == 2  # the third page is never read


def test_aws_endpoint_url_points_every_call_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """AWS_ENDPOINT_URL (how the command reaches a local sandbox): here a closed port on this machine."""
    _no_aws(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # the SDK's retries (with backoff) would only slow the test
    assert main(["list", "--stack", "s"]) == 2
    assert capsys.readouterr().err == 'error: cannot reach AWS: Could not connect to the endpoint URL: "http://127.0.0.1:9/"\n'


def test_progress_speaks_on_a_pipe_once_the_listing_is_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    from imports import progress as progress_module

    monkeypatch.setattr(progress_module, "SLOW_AFTER", 0.0)
    monkeypatch.setattr(progress_module, "EVERY", 0.0)
    pipe = _Stream(False)
    progress = Progress("reading imports", stream=pipe)
    progress.step(total=2)
    progress.step()
    progress.finish()
    assert [line.split(" (")[0] for line in pipe.getvalue().splitlines()] == ["reading imports: 1 of 2", "reading imports: 2 of 2"]
