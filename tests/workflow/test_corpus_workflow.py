"""The whole bad-input corpus (tests/corpus/cases.yaml) through the whole workflow: every case ends
REJECTED with its reason, in exactly one notification; none ends ERROR; no model is created; and
no unhandled exception reaches the state machine (ImportRejected is the only failure any history
shows).

Each case starts the way it describes itself: a case whose input is the S3 event of its own trigger
file is uploaded (S3 -> EventBridge -> the rule); any other S3-shaped event is put on the bus as it
is; an upload or event no rule matches (another bucket, another prefix, not "Object Created") and
every other input are given to StartExecution, as a manual start would be - so the validator
sees them all.

One sandbox serves every case (each case stages its objects under its own model folder, and
the rejections' ledger keys are per trigger or per execution): all cases start, then run at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox import Sandbox
from tests.corpus.cases import CORPUS_ENV, Case, load_cases
from tests.workflow.flow import states_entered

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[2]
CASES = load_cases()
#: The stack parameters under which the corpus's expected reasons hold (CORPUS_ENV).
CORPUS_PARAMETERS = {"DefaultTags": CORPUS_ENV["DEFAULT_TAGS"], "AllowedSourcePrefixes": CORPUS_ENV["ALLOWED_SOURCE_PREFIXES"]}
REJECTED_EARLY = ["StartImport", "ValidateArtifacts", "RecordRejection", "PublishResult", "RouteOnOutcome", "ModelImportRejected"]
_FAILURE_EVENTS = ("LambdaFunctionFailed", "LambdaFunctionTimedOut", "TaskFailed", "TaskTimedOut", "ExecutionFailed")


@dataclass
class Run:
    case: Case
    started_by: str  # "upload" | "event" | "manual"
    execution_arn: str
    status: str = ""
    error: str | None = None
    notifications: list[dict[str, Any]] | None = None
    history: list[dict[str, Any]] | None = None


def _event_key(case: Case) -> str:
    return case.input["detail"]["object"]["key"]


def _start(sb: Sandbox, case: Case) -> Run:
    """Stage the case's objects without events, then start it the way it describes."""
    trigger = _event_key(case) if case.upload_triggers else None
    for obj in case.objects:
        if obj.key != trigger:
            sb.put_object(obj.key, obj.body, emit=False)
    assert sb.router is not None
    if trigger is not None:
        before = len(sb.router.deliveries)
        sb.put_object(trigger, next(o.body for o in case.objects if o.key == trigger))
        started = [d.execution_arn for d in sb.router.deliveries[before:] if d.execution_arn]
        if started:  # else the key lies outside the rule's pattern: the upload started nothing
            [arn] = started
            return Run(case, "upload", arn)
    if isinstance(case.input, dict) and "source" in case.input:
        started = [d.execution_arn for d in sb.put_event(case.input) if d.execution_arn]
        if started:
            [arn] = started
            return Run(case, "event", arn)
    return Run(case, "manual", sb.start_execution(case.input))


@pytest.fixture(scope="module")
def corpus() -> Iterator[tuple[Sandbox, dict[str, Run]]]:
    with Sandbox(REPO, parameters=CORPUS_PARAMETERS) as sb:
        runs = {case.name: _start(sb, case) for case in CASES}
        executions = {e.arn: e for e in sb.wait_all(timeout=120)}
        bodies = sb.notifications()
        for run in runs.values():
            execution = executions[run.execution_arn]
            run.status, run.error = execution.status, execution.error
            run.notifications = [b for b in bodies if b["executionArn"] == run.execution_arn]
            run.history = sb.history(run.execution_arn)
        yield sb, runs


def test_the_sandbox_runs_validate_artifacts_with_the_corpus_settings(corpus) -> None:
    sb, _ = corpus
    [function] = [f for f in sb.stack.functions.values() if f.logical_id == "ValidateArtifactsFunction"]
    environment = sb._client("lambda").get_function_configuration(FunctionName=function.name)["Environment"]["Variables"]
    set_by_lambda = {"AWS_REGION": "us-east-1"}  # the runtime's own variable, not the template's

    # str(): moto keeps a Number parameter's Ref (MaxProvisionedModelUnits) a number; Lambda's are strings.
    assert {name: str(environment.get(name)) for name in CORPUS_ENV if name not in set_by_lambda} == {
        k: v for k, v in CORPUS_ENV.items() if k not in set_by_lambda
    }


def test_every_case_started_exactly_one_execution_each_way_a_case_can_start(corpus) -> None:
    sb, runs = corpus

    assert len(sb.executions()) == len(CASES)  # staging started nothing of its own
    assert len({run.execution_arn for run in runs.values()}) == len(CASES)
    ways = Counter(run.started_by for run in runs.values())
    assert set(ways) == {"upload", "event", "manual"} and min(ways.values()) >= 5, ways


@pytest.mark.parametrize("name", [case.name for case in CASES])
def test_corpus_case_ends_rejected_with_its_reason_in_one_notification(corpus, name: str) -> None:
    _, runs = corpus
    run = runs[name]
    assert run.notifications is not None and run.history is not None

    [body] = run.notifications
    assert (run.status, run.error) == ("FAILED", "ModelImportRejected")
    assert body["outcome"] == "REJECTED"
    assert run.case.matches(body["reason"]), f"{name} ({run.started_by}): {body['reason']!r} does not match {run.case.expected}"
    assert body["modelArn"] is None and body["modelStatus"] is None
    assert states_entered(run.history) == REJECTED_EARLY
    failures = [
        next(v for k, v in event.items() if k.endswith("EventDetails")).get("error")
        for event in run.history
        if event["type"] in _FAILURE_EVENTS
    ]
    assert failures == ["ImportRejected", "ModelImportRejected"]  # no unhandled exception type, anywhere


def test_the_corpus_creates_no_model_and_never_calls_bedrock(corpus) -> None:
    sb, runs = corpus

    assert all(run.error != "ModelImportErrored" for run in runs.values())
    assert sb.models() == []
    assert set(sb.bedrock_store().calls) <= {"ListCustomModels"}  # only the sandbox's own reads
