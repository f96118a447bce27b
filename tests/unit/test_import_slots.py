"""The import semaphore's decision (model_import.import_slots.decide): slots, leases, arrival order."""

from __future__ import annotations

from model_import.import_slots import decide

NOW = 1_000_000
LEASE, STALE = 3600, 240


def _decide(holders, waiters, me, arrived="2025-01-01T00:00:05Z", limit=2):
    return decide(holders, waiters, me, arrived, NOW, limit, LEASE, STALE)


def test_a_free_slot_is_taken_with_a_lease_until_the_import_must_have_ended():
    admission, holders, waiters = _decide({}, {}, "a")
    assert (admission.admitted, admission.in_flight) == (True, 1)
    assert holders == {"a": NOW + LEASE} and waiters == {}


def test_with_every_slot_taken_the_import_queues_behind_earlier_arrivals():
    holders = {"a": NOW + 10, "b": NOW + 10}
    waiters = {"early": ("2025-01-01T00:00:01Z", NOW)}
    admission, _, waiters = _decide(holders, waiters, "late")
    assert (admission.admitted, admission.position) == (False, 2)
    assert waiters["late"] == ("2025-01-01T00:00:05Z", NOW)


def test_a_freed_slot_goes_to_the_oldest_waiter_not_to_whoever_asks_first():
    waiters = {"early": ("2025-01-01T00:00:01Z", NOW)}
    admission, holders, _ = _decide({"a": NOW + 10}, waiters, "late", limit=2)
    assert (admission.admitted, admission.position) == (False, 1)
    admission, holders, waiters = _decide({"a": NOW + 10}, waiters, "early", arrived="2025-01-01T00:00:01Z")
    assert admission.admitted and "early" in holders and "early" not in waiters


def test_an_expired_lease_frees_its_slot():  # an execution stopped or crashed outside its Catch clauses
    admission, holders, _ = _decide({"gone": NOW - 1, "b": NOW + 10}, {}, "c")
    assert admission.admitted and set(holders) == {"b", "c"}


def test_a_waiter_that_stopped_asking_is_forgotten():
    waiters = {"abandoned": ("2025-01-01T00:00:00Z", NOW - STALE - 1)}
    admission, _, waiters = _decide({"a": NOW + 10}, waiters, "c", limit=2)
    assert admission.admitted and "abandoned" not in waiters


def test_a_holder_asking_again_keeps_its_one_slot():  # a retry after the put went through
    admission, holders, _ = _decide({"a": NOW + 5, "b": NOW + 10}, {}, "a")
    assert admission.admitted and holders == {"a": NOW + 5, "b": NOW + 10}


def test_far_back_in_the_queue_an_import_asks_less_often_the_next_in_line_every_interval():
    from types import SimpleNamespace

    from model_import.import_slots import MAX_BACKOFF_INTERVALS, Admission, _backoff

    settings = SimpleNamespace(max_concurrent_imports=3)
    assert _backoff(60, Admission(False, 1, 3), settings) == 60
    assert _backoff(60, Admission(False, 3, 3), settings) == 60
    assert _backoff(60, Admission(False, 7, 3), settings) == 180
    assert _backoff(60, Admission(False, 97, 3), settings) == 60 * MAX_BACKOFF_INTERVALS
