"""Retry and Catch: transient errors are retried where they can happen, everything else is
caught and reported by PublishResult, and nothing is retried forever or in lockstep."""

from __future__ import annotations

from tests.template import asl
from tests.template.code_scan import scan_handler

ANY_ERROR = "States.ALL"


def _tasks(state_machine):
    return {name: state for name, state in state_machine.states.items() if state["Type"] == "Task"}


def _lambda_tasks(state_machine):
    found = {}
    for name, state in _tasks(state_machine).items():
        function = asl.task_function(state, state_machine.substitutions)
        if function is not None:
            found[name] = function
    return found


def test_every_lambda_task_is_a_function_of_this_template(state_machine, functions):
    tasks = _lambda_tasks(state_machine)
    assert set(tasks) == {"ValidateArtifacts", "AcquireImportSlot", "StartBedrockImport", "CheckImportStatus", "StartDeployment",
                          "RunSmokeTest", "PublishResult"}
    assert set(tasks.values()) == set(functions), "a function no task runs, or a task running an unknown function"


def test_every_lambda_task_retries_the_lambda_service_errors(state_machine):
    for name in _lambda_tasks(state_machine):
        missing = asl.LAMBDA_SERVICE_ERRORS - asl.retried_errors(state_machine.states[name])
        assert not missing, f"{name} does not retry {sorted(missing)}"


def test_each_step_retries_exactly_the_transient_errors_its_code_can_raise(state_machine, functions):
    """RETRYABLE errors a step's code can raise (found by reading it) are retried where that step
    runs, and a step retries no named error it cannot raise."""
    from model_import.errors import RETRYABLE

    for task, function in _lambda_tasks(state_machine).items():
        can_raise = scan_handler(functions[function]).raises & set(RETRYABLE)
        retried = {e for e in asl.retried_errors(state_machine.states[task]) if not e.startswith("Lambda.")}
        assert can_raise, f"{task} ({function}) can raise none of {RETRYABLE}: is the scan still finding its AWS calls?"
        assert retried == can_raise, f"{task}: retries {sorted(retried)}, its code can raise {sorted(can_raise)}"


def test_every_retryable_error_is_retried_somewhere(state_machine):
    from model_import.errors import RETRYABLE

    retried = set().union(*(asl.retried_errors(s) for s in _tasks(state_machine).values()))
    assert set(RETRYABLE) <= retried, f"never retried: {sorted(set(RETRYABLE) - retried)}"


def test_no_retry_repeats_a_rejection_or_any_error(state_machine):
    for name, state in _tasks(state_machine).items():
        retried = asl.retried_errors(state)
        assert ANY_ERROR not in retried and "ImportRejected" not in retried and "States.TaskFailed" not in retried, name


def test_every_retry_is_bounded_and_jittered(state_machine):
    for name, state in _tasks(state_machine).items():
        assert state.get("Retry"), f"{name} has no Retry"
        for retrier in state["Retry"]:
            assert retrier.get("JitterStrategy") == "FULL", f"{name} {retrier['ErrorEquals']}: retries in lockstep"
            assert 1 <= retrier.get("MaxAttempts", 3) <= 10, f"{name} {retrier['ErrorEquals']}"
            assert retrier.get("BackoffRate", 2.0) >= 1 and retrier.get("MaxDelaySeconds"), (
                f"{name} {retrier['ErrorEquals']}"
            )


def test_every_task_catches_any_error_last(state_machine):
    for name, state in _tasks(state_machine).items():
        catchers = state.get("Catch", [])
        assert catchers and catchers[-1]["ErrorEquals"] == [ANY_ERROR], f"{name}: the last Catch must be States.ALL"
        assert all(c.get("ResultPath") == "$.error" for c in catchers), f"{name}: a Catch drops the state or the error"


def test_every_caught_error_before_publishing_ends_in_publish_result(state_machine):
    """Whatever goes wrong, subscribers hear about it: every Catch leads (through the Record*
    Pass states) to PublishResult. The one exception is a repeated delivery of an upload that
    another execution already claimed, which ends quietly."""
    states = state_machine.states
    for name, state in _tasks(state_machine).items():
        if name == "PublishResult":
            continue
        for catcher in state["Catch"]:
            target = asl.through_passes(states, catcher["Next"])
            if catcher["ErrorEquals"] == ["DynamoDB.ConditionalCheckFailedException"]:
                assert name == "ClaimImportRequest" and states[target]["Type"] == "Succeed"
            elif states[target]["Type"] == "Choice":
                # IsModelAlreadyActive: which outcome a failed check records; each way still publishes.
                ends = {asl.through_passes(states, t) for t in asl.transitions(states[target])}
                assert ends == {"PublishResult"}, f"{name} catches {catcher['ErrorEquals']} into {target}, then {ends}"
            else:
                assert target == "PublishResult", f"{name} catches {catcher['ErrorEquals']} into {target}"


def test_a_failed_publish_fails_the_execution(state_machine):
    states = state_machine.states
    for catcher in states["PublishResult"]["Catch"]:
        assert states[catcher["Next"]]["Type"] == "Fail", (
            "a notification that could not be sent must show as a failed execution"
        )


def test_every_outcome_of_the_notification_contract_is_recorded_once(state_machine):
    from model_import.notification import OUTCOMES

    recorded = [
        s["Result"] for s in state_machine.states.values() if s["Type"] == "Pass" and s.get("ResultPath") == "$.outcome"
    ]
    assert sorted(recorded) == sorted(OUTCOMES)


def test_task_timeouts_outlast_the_function_timeouts(state_machine, template):
    """A task's TimeoutSeconds shorter than its Lambda's Timeout would abandon invocations that
    are still running (and then retry them next to the first)."""
    default_timeout = template["Globals"]["Function"]["Timeout"]
    for task, function in _lambda_tasks(state_machine).items():
        function_timeout = template["Resources"][function]["Properties"].get("Timeout", default_timeout)
        assert state_machine.states[task].get("TimeoutSeconds", 0) > function_timeout, task
