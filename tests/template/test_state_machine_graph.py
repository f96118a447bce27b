"""The workflow's graph: every state is reachable, every path ends, and the one loop is bounded."""

from __future__ import annotations

import pytest

from tests.template import asl


def test_start_at_names_a_state(state_machine):
    assert state_machine.asl["StartAt"] in state_machine.states


def test_every_transition_target_exists(state_machine):
    dangling = {
        (name, target)
        for name, state in state_machine.states.items()
        for target in asl.transitions(state)
        if target not in state_machine.states
    }
    assert not dangling, f"Next/Default/Catch targets that are not states: {sorted(dangling)}"


def test_every_state_is_reachable_from_start_at(state_machine):
    unreachable = set(state_machine.states) - asl.reachable(state_machine.states, state_machine.asl["StartAt"])
    assert not unreachable, f"states no execution can enter: {sorted(unreachable)}"


def test_every_state_leads_to_a_terminal_state(state_machine):
    states = state_machine.states
    stuck = {name for name in states if not any(asl.is_terminal(states[s]) for s in asl.reachable(states, name))}
    assert not stuck, f"states from which no Succeed/Fail/End is reachable: {sorted(stuck)}"


def test_non_terminal_states_say_where_to_go(state_machine):
    for name, state in state_machine.states.items():
        if asl.is_terminal(state):
            assert "Next" not in state, name
        elif state["Type"] == "Choice":
            assert "Default" in state, (
                f"Choice {name} has no Default: an unmatched value fails the execution with States.NoChoiceMatched"
            )
        else:
            assert "Next" in state, f"{name} has neither Next nor End"


#: States on the poll loop's graph cycle that run at most once: RecordSuccess is reached only by
#: IsModelReady's modelStatus rule, which comes after the rules that catch every state with a
#: deployment, and StartDeployment always returns one (test_the_poll_loop_follows_the_deployment_once_it_exists).
ONCE_PER_EXECUTION = {"RecordSuccess", "IsDeploymentRequested", "StartDeployment"}


def test_the_only_loops_are_the_status_poll_and_the_wait_for_an_import_slot(state_machine):
    loops = asl.cycles(state_machine.states)
    assert sorted(map(sorted, loops)) == [
        ["AcquireImportSlot", "HasImportSlot", "WaitForImportSlot"],
        sorted({"CheckImportStatus", "IsModelReady", "WaitBeforeCheck"} | ONCE_PER_EXECUTION),
    ], f"unexpected loops {loops}"


def test_the_slot_loop_exits_on_a_slot_and_on_the_deadline(state_machine):
    states = state_machine.states
    choice = states["HasImportSlot"]
    exits = {(c["BooleanEquals"], c["Variable"]): c["Next"] for c in choice["Choices"]}
    assert exits[(True, "$.slot.admitted")] == "StartBedrockImport"
    assert asl.through_passes(states, exits[(True, "$.slot.deadlineReached")]) == "PublishResult"
    assert choice["Default"] == "WaitForImportSlot"
    assert states["WaitForImportSlot"]["SecondsPath"] == "$.slot.waitSeconds"


def _rounds(loop) -> int:
    """The most times a loop runs: its Lambda's own bound, plus the last wait clipped to the deadline.
    The import and its deployment share MAX_CHECKS (loop.deployment_started): one more check at most."""
    from model_import.import_slots import MAX_SLOT_ROUNDS
    from model_import.polling import MAX_CHECKS

    return (MAX_SLOT_ROUNDS + 1) if "AcquireImportSlot" in loop else (MAX_CHECKS + 2)


def _core(loop) -> set:
    return set(loop) - ONCE_PER_EXECUTION


def _run_once(states) -> set:
    return set(states) - set().union(*(_core(loop) for loop in asl.cycles(states)))


def _deployment_rule(rule) -> bool:
    conditions = rule.get("And", [])
    return any(c.get("Variable") == "$.model.deployment" and c.get("IsPresent") is True for c in conditions) and any(
        c.get("Variable") == "$.model.deployment" and c.get("IsNull") is False for c in conditions
    )


def test_the_poll_loop_exits_on_active_failed_and_deadline(state_machine):
    states = state_machine.states
    choice = states["IsModelReady"]
    plain = [c for c in choice["Choices"] if "Variable" in c]
    exits = {(c.get("StringEquals", c.get("BooleanEquals")), c["Variable"]): c["Next"] for c in plain}
    assert exits[("Active", "$.model.modelStatus")] == "RecordSuccess"
    assert states["RecordSuccess"]["Next"] == "IsDeploymentRequested"
    assert asl.through_passes(states, exits[("Failed", "$.model.modelStatus")]) == "PublishResult"
    assert asl.through_passes(states, exits[(True, "$.model.deadlineReached")]) == "PublishResult"
    assert choice["Default"] == "WaitBeforeCheck"


def test_the_poll_loop_follows_the_deployment_once_it_exists(state_machine):
    """With $.model.deployment set, IsModelReady's first four rules decide, the last of them
    catching every remaining status: the model's rules (and RecordSuccess) are never reached again."""
    states = state_machine.states
    rules = states["IsModelReady"]["Choices"]
    deployment_rules = [r for r in rules if _deployment_rule(r)]
    assert rules[: len(deployment_rules)] == deployment_rules and len(deployment_rules) == 4
    assert [r["Next"] for r in deployment_rules] == [
        "IsSmokeTestRequested", "RecordDeploymentFailure", "RecordDeploymentTimeout", "WaitBeforeCheck"
    ]
    assert len(deployment_rules[-1]["And"]) == 2, "the last deployment rule must match any deployment"
    (ready,) = [c for c in deployment_rules[0]["And"] if "Or" in c]
    assert sorted(c["StringEquals"] for c in ready["Or"]) == ["Active", "InService"]
    start = states["StartDeployment"]
    assert start["ResultPath"] == "$.model" and start["Next"] == "WaitBeforeCheck"
    assert [c["Next"] for c in start["Catch"]] == ["RecordDeploymentFailure"]


def _fake_bedrock(status: str):
    class Bedrock:
        calls = 0

        def create_custom_model(self, **kwargs):
            return {"modelArn": "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/abc"}

        def get_custom_model(self, modelIdentifier):
            Bedrock.calls += 1
            return {"modelArn": modelIdentifier, "modelName": "m", "modelStatus": status}

    return Bedrock()


def _poll_until_done(poll_interval: int, timeout_minutes: int) -> dict:
    """Run the poll loop's code (CreateCustomModel's first wait, then CheckModelStatus until the
    Choice would leave the loop) against a model that never leaves Creating."""
    from model_import.models import check_model, create_model
    from model_import.request import ImportRequest
    from model_import.settings import CreateSettings, PollSettings

    poll = PollSettings(poll_interval_seconds=poll_interval, import_timeout_minutes=timeout_minutes)
    bedrock = _fake_bedrock("Creating")
    request = ImportRequest("m", "s3://bucket/incoming/m/", {}, "a" * 64, None)
    model = create_model(bedrock, request, CreateSettings("arn:aws:iam::123456789012:role/r", None, poll))
    while True:
        model = check_model(bedrock, model, poll)
        if model["deadlineReached"] or model["modelStatus"] != "Creating":
            return model
        assert model["checks"] < 100_000, "the poll loop does not end"


def _bounds(template, name):
    param = template["Parameters"][name]
    return int(param["MinValue"]), int(param["MaxValue"])


@pytest.mark.parametrize("interval_end", ["min", "max"])
@pytest.mark.parametrize("timeout_end", ["min", "max"])
def test_a_model_stuck_in_creating_ends_at_the_deadline_within_max_checks(template, interval_end, timeout_end):
    from model_import.polling import MAX_CHECKS

    interval = _bounds(template, "PollIntervalSeconds")[0 if interval_end == "min" else 1]
    timeout = _bounds(template, "ImportTimeoutMinutes")[0 if timeout_end == "min" else 1]
    model = _poll_until_done(interval, timeout)
    assert model["deadlineReached"] is True
    assert model["waitedSeconds"] >= timeout * 60
    assert 1 <= model["checks"] <= MAX_CHECKS


def test_the_longest_import_stays_far_below_the_history_limit(state_machine):
    """MAX_CHECKS poll cycles plus one pass through every other state, without retries, use at
    most a quarter of the 25,000 events an execution may have."""
    from model_import.polling import MAX_CHECKS

    states = state_machine.states
    loops = asl.cycles(states)
    outside = sum(asl.events_per_run(states[name]) for name in _run_once(states))
    longest = asl.EXECUTION_EVENTS + outside
    for loop in loops:
        per_cycle = sum(asl.events_per_run(states[s]) for s in _core(loop))
        assert per_cycle == 9  # Wait 2 + Lambda task 5 + Choice 2
        longest += _rounds(loop) * per_cycle
    assert longest <= asl.HISTORY_LIMIT // 4, f"{longest} events for {MAX_CHECKS} checks and a full wait for a slot"


def test_throttling_on_every_check_still_fits_the_history_limit(state_machine):
    """A check that needs a few retries (Bedrock throttling for a while) on every single one of
    MAX_CHECKS cycles still ends well inside the history limit."""
    from model_import.polling import MAX_CHECKS

    states = state_machine.states
    loops = asl.cycles(states)
    outside = sum(asl.events_per_run(states[name]) for name in _run_once(states))
    total = asl.EXECUTION_EVENTS + outside
    for loop in loops:
        total += _rounds(loop) * (sum(asl.events_per_run(states[s]) for s in _core(loop)) + 3 * asl.EVENTS_PER_RETRY)
    assert MAX_CHECKS and total < asl.HISTORY_LIMIT


def test_every_check_exhausting_its_whole_retry_budget_still_fits_the_history_limit(state_machine):
    """The worst case: each of MAX_CHECKS status checks (the import's and its deployment's) is retried
    as often as every one of its retriers allows before it succeeds, and so is every other task
    (StartDeployment, RunSmokeTest's warm-up retries, ...)."""
    from model_import.polling import MAX_CHECKS

    states = state_machine.states
    loops = asl.cycles(states)
    once = _run_once(states)
    once_retries = sum(retrier["MaxAttempts"] for s in once for retrier in states[s].get("Retry", ()))
    total = asl.EXECUTION_EVENTS + sum(asl.events_per_run(states[s]) for s in once) + once_retries * asl.EVENTS_PER_RETRY
    for loop in loops:
        retries = sum(retrier["MaxAttempts"] for s in _core(loop) for retrier in states[s].get("Retry", ()))
        total += _rounds(loop) * (sum(asl.events_per_run(states[s]) for s in _core(loop)) + retries * asl.EVENTS_PER_RETRY)
    assert MAX_CHECKS and total < asl.HISTORY_LIMIT, total
