"""The actor an event named is given to the next reconcile of its object, then forgotten."""

from __future__ import annotations

from controller.events import LastActors


def test_an_actor_recorded_before_a_reconcile_is_taken_by_it_once() -> None:
    actors = LastActors()
    actors.record({"Service/a"}, "alice from 1.2.3.4", at=10.0)
    assert actors.take("Service/a", started=11.0) == "alice from 1.2.3.4"
    assert actors.take("Service/a", started=12.0) is None


def test_an_actor_recorded_during_a_reconcile_stays_for_the_rerun() -> None:
    actors = LastActors()
    actors.record({"Service/a"}, "alice", at=10.0)
    assert actors.take("Service/a", started=9.0) == "alice"
    assert actors.take("Service/a", started=10.5) == "alice"
    assert actors.take("Service/a", started=11.0) is None


def test_an_old_actor_is_not_blamed() -> None:
    actors = LastActors(ttl=60.0)
    actors.record({"Service/a"}, "alice", at=0.0)
    assert actors.take("Service/a", started=61.0) is None
