"""The poll schedule: interval, deadline, and the MAX_CHECKS bound on the execution history."""

import math
import os

import pytest
from hypothesis import given, settings, strategies as st

from model_import.polling import MAX_CHECKS, PollState, deadline_reached, interval_seconds, next_wait
from model_import.settings import PollSettings

# template.yaml: PollIntervalSeconds MinValue 10, MaxValue 3600; ImportTimeoutMinutes 5..2880.
INTERVALS = st.integers(min_value=10, max_value=3600)
TIMEOUTS = st.integers(min_value=5, max_value=2880)
#: History events one Wait -> CheckModelStatus -> IsModelReady cycle adds (Wait entered/exited,
#: Task entered/scheduled/started/succeeded/exited, Choice entered/exited), rounded up.
EVENTS_PER_CHECK = 11
HISTORY_LIMIT = 25_000


def schedule(poll: PollSettings) -> list[int]:
    """The waits of a model that stays Creating, as CreateCustomModel and CheckModelStatus chain them."""
    waits = [next_wait(PollState(0, 0), poll)]
    state = PollState(checks=1, waited_seconds=waits[0])
    while not deadline_reached(state, poll):
        wait = next_wait(state, poll)
        waits.append(wait)
        state = PollState(state.checks + 1, state.waited_seconds + wait)
        assert len(waits) <= MAX_CHECKS + 1, "runaway poll loop"
    return waits


def test_the_configured_interval_is_used_when_it_fits_the_bound():
    poll = PollSettings(poll_interval_seconds=60, import_timeout_minutes=240)
    assert interval_seconds(poll) == 60
    assert schedule(poll) == [60] * 240


def test_the_last_wait_is_clipped_to_land_on_the_deadline():
    poll = PollSettings(poll_interval_seconds=70, import_timeout_minutes=5)
    assert schedule(poll) == [70, 70, 70, 70, 20]


def test_a_timeout_shorter_than_the_interval_means_one_check_at_the_deadline():
    assert schedule(PollSettings(poll_interval_seconds=3600, import_timeout_minutes=5)) == [300]


def test_a_short_interval_with_a_long_timeout_is_stretched_to_the_bound():
    poll = PollSettings(poll_interval_seconds=10, import_timeout_minutes=2880)
    assert interval_seconds(poll) == math.ceil(2880 * 60 / MAX_CHECKS) == 576
    assert len(schedule(poll)) == MAX_CHECKS


def test_the_deadline_is_reached_exactly_at_the_timeout():
    poll = PollSettings(poll_interval_seconds=60, import_timeout_minutes=10)
    assert not deadline_reached(PollState(9, 599), poll)
    assert deadline_reached(PollState(10, 600), poll)


def test_a_wait_is_never_shorter_than_one_second():
    poll = PollSettings(poll_interval_seconds=60, import_timeout_minutes=10)
    assert next_wait(PollState(10, 600), poll) == 1
    assert next_wait(PollState(10, 9999), poll) == 1


@pytest.mark.parametrize("interval", [10, 11, 59, 60, 61, 345, 346, 347, 3599, 3600])
@pytest.mark.parametrize("timeout", [5, 6, 83, 84, 240, 1439, 1440, 2879, 2880])
def test_boundary_settings_wait_exactly_the_timeout_within_max_checks(interval, timeout):
    waits = schedule(PollSettings(interval, timeout))
    assert sum(waits) == timeout * 60
    assert len(waits) <= MAX_CHECKS
    assert all(1 <= w <= max(interval, math.ceil(timeout * 60 / MAX_CHECKS)) for w in waits)


@settings(max_examples=200, deadline=None, derandomize=bool(os.environ.get("CI")))
@given(interval=INTERVALS, timeout=TIMEOUTS)
def test_any_allowed_settings_keep_the_history_far_inside_its_limit(interval, timeout):
    poll = PollSettings(interval, timeout)
    checks = len(schedule(poll))
    assert checks <= MAX_CHECKS
    assert checks == math.ceil(timeout * 60 / interval_seconds(poll))
    assert checks * EVENTS_PER_CHECK < HISTORY_LIMIT / 4
    assert interval_seconds(poll) >= interval
