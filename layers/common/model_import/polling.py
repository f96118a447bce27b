"""When to check the model's status next, and when to give up.

The deadline counts the seconds the workflow has waited between checks (the sum of its Wait
states), not the wall clock: that is what the state machine controls, it keeps the loop's
length independent of how fast the Lambdas run, and it lets the sandbox compress time without
changing the logic. On AWS the wall-clock time at the deadline is that plus a few seconds per
check. The interval is stretched so that no import ever takes more than MAX_CHECKS checks,
which bounds the execution history inside the 25,000 limit even if every check used its
whole retry budget (about 51 events per check; 9 without retries). A deployment after the import
polls in the same loop, with its own deadline, from the checks MAX_CHECKS leaves it (loop.py): the
bound holds for the whole execution.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from model_import.settings import PollSettings

MAX_CHECKS = 300


class PollState(NamedTuple):  # a NamedTuple, not a dataclass: ~0.6 ms less cold start (bench/cold_start.py)
    checks: int  # GetCustomModel calls made so far
    waited_seconds: int  # seconds spent in Wait states so far


def interval_seconds(settings: PollSettings, max_checks: int = MAX_CHECKS) -> int:
    timeout = settings.import_timeout_minutes * 60
    return max(settings.poll_interval_seconds, math.ceil(timeout / max(1, max_checks)))


def next_wait(state: PollState, settings: PollSettings, max_checks: int = MAX_CHECKS) -> int:
    """Seconds to wait before the next check: the interval, clipped to land on the deadline."""
    remaining = settings.import_timeout_minutes * 60 - state.waited_seconds
    return max(1, min(interval_seconds(settings, max_checks), remaining))


def deadline_reached(state: PollState, settings: PollSettings) -> bool:
    return state.waited_seconds >= settings.import_timeout_minutes * 60
