"""The safety net's decision and arithmetic: which objects a resync reads in depth, and
how fast, given the batch signals and when each object was last verified."""

from __future__ import annotations

import math

import pytest

from controller.daemon._verify import (
    ADOPT,
    READ_QUOTAS,
    VerifyLedger,
    budget_used,
    schedule,
    verifications_per_second,
)

HOUR, DAY = 3600.0, 86400.0


def ledger_of(**signals: str) -> VerifyLedger:
    ledger = VerifyLedger()
    for n, (key, signal) in enumerate(signals.items()):
        ledger.record(key, signal, at=1000.0 + n)
    return ledger


def test_a_steady_world_reads_only_its_share_of_due_objects() -> None:
    keys = {f"s{n}": "a" for n in range(48)}
    ledger = ledger_of(**keys)
    choice = ledger.choose(keys, now=2000.0, verify_interval=DAY, resync_interval=HOUR)
    assert choice.unknown == []
    assert choice.changed == []
    assert choice.due == ["s0", "s1"]  # 48 objects over 24 resyncs: the two oldest
    assert choice.skipped == 46


def test_a_moved_signal_is_verified_and_an_unknown_object_at_once() -> None:
    ledger = ledger_of(a="1", b="1")
    choice = ledger.choose(
        {"a": "2", "b": "1", "c": "1"}, now=2000.0, verify_interval=DAY, resync_interval=HOUR
    )
    assert choice.changed == ["a"]
    assert choice.unknown == ["c"]


def test_a_kind_without_a_batch_signal_is_verified_at_every_resync() -> None:
    ledger = VerifyLedger()
    ledger.record("IdentityProvider/p", None, at=1000.0)
    choice = ledger.choose(
        {"IdentityProvider/p": None}, now=1001.0, verify_interval=DAY, resync_interval=HOUR
    )
    assert choice.unsignalled == ["IdentityProvider/p"]


def test_every_object_older_than_the_verify_interval_is_due_whatever_the_share() -> None:
    keys = {f"s{n}": "a" for n in range(10)}
    ledger = ledger_of(**keys)
    choice = ledger.choose(keys, now=1000.0 + DAY + 5, verify_interval=DAY, resync_interval=60)
    assert len(choice.due) == 6  # recorded at 1000..1009: six are a day old, share is 1


def test_a_zero_verify_interval_verifies_everything_at_every_resync() -> None:
    keys = {f"s{n}": "a" for n in range(5)}
    choice = ledger_of(**keys).choose(keys, 1001.0, verify_interval=0, resync_interval=HOUR)
    assert sorted(choice.due) == sorted(keys)
    assert choice.skipped == 0


def test_a_forgotten_object_is_unknown_again() -> None:
    ledger = ledger_of(a="1")
    ledger.forget("a")
    assert ledger.choose({"a": "1"}, 1.0, DAY, HOUR).unknown == ["a"]


def test_the_budget_binds_on_the_scarcest_quota_of_a_service() -> None:
    rate, burst = verifications_per_second(["Service"], budget=0.2)
    assert rate == pytest.approx(0.2 * READ_QUOTAS["cognito-client-read"][0] / 1.0)
    assert burst >= 1.0
    assert verifications_per_second([], 0.2) == (math.inf, math.inf)


def test_changed_objects_come_first_at_the_budget_then_due_ones_spread_over_the_window() -> None:
    timed = schedule(["c1", "c2", "c3"], ["d1", "d2"], rate=1.0, burst=2.0, window=100.0)
    assert timed[:3] == [(0.0, "c1"), (0.0, "c2"), (1.0, "c3")]
    (t1, d1), (t2, d2) = timed[3:]
    assert (d1, d2) == ("d1", "d2")
    assert t1 == pytest.approx(2.0)
    assert t2 == pytest.approx(2.0 + 49.0)


def test_due_objects_never_go_faster_than_the_budget_even_in_a_short_window() -> None:
    timed = schedule([], [f"d{n}" for n in range(10)], rate=0.5, burst=1.0, window=5.0)
    offsets = [offset for offset, _ in timed]
    assert offsets == [2.0 * n for n in range(10)]


def test_budget_use_is_calls_over_time_over_the_budgeted_rate() -> None:
    used = budget_used(
        {("cognito-idp", "DescribeUserPoolClient"): 60, ("sts", "GetCallerIdentity"): 9},
        seconds=60.0,
        budget=0.2,
    )
    assert used["cognito-client-read"] == pytest.approx(1.0)  # 1/s = 0.2 x 5/s
    assert used["ecs-service-read"] == 0.0


def test_a_small_world_carries_the_fraction_of_its_share_across_resyncs() -> None:
    keys = {f"s{n}": "a" for n in range(6)}
    ledger = ledger_of(**keys)
    dues = [len(ledger.choose(keys, 2000.0, DAY, HOUR).due) for _ in range(8)]
    assert dues == [0, 0, 0, 1, 0, 0, 0, 1]  # 6 objects over 24 resyncs: one every 4th


def test_after_our_own_write_the_next_signal_is_adopted_without_a_deep_read() -> None:
    ledger = VerifyLedger()
    ledger.record("s", ADOPT, at=1000.0)
    first = ledger.choose({"s": "new"}, 1001.0, DAY, HOUR)
    assert (first.changed, first.unknown) == ([], [])
    assert ledger.choose({"s": "moved"}, 1002.0, DAY, HOUR).changed == ["s"]
