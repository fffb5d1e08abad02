"""Two replicas on one lease table: one reconciles, the other stands by and takes over."""

from __future__ import annotations

import signal

import pytest

from tests.harness.world import LEASE_TABLE as TABLE
from tests.integration.daemon.conftest import Setup, event

pytestmark = pytest.mark.slow  # two daemons and a lease expiry

LEASE = ("leaderElection.table=" + TABLE, "leaderElection.leaseDuration=3s")


def test_only_the_lease_holder_reconciles_and_a_standby_takes_over(setup: Setup) -> None:
    setup.world.create_lease_table()
    first = setup.start("resyncInterval=1h", *LEASE)
    first.wait_ready()
    second = setup.start("resyncInterval=1h", *LEASE)
    second.wait_ready()

    assert first.status()["controller"]["leader"] is True
    assert second.status()["controller"]["leader"] is False
    assert second.status()["objects"] == []
    assert not [e for e in second.events if e.get("event") == "change"]

    first.process.send_signal(signal.SIGKILL)  # no release: the lease must expire
    first.process.wait()
    setup.started.remove(first)
    second.wait_for(event("leader_elected"), timeout=30)
    second.wait_for(event("cycle_finished", problems=0), timeout=60)
    assert second.status()["controller"]["leader"] is True


def test_a_leader_stopping_cleanly_hands_over_at_once(setup: Setup) -> None:
    setup.world.create_lease_table()
    first = setup.start("resyncInterval=1h", "leaderElection.table=" + TABLE)  # 15 s lease
    first.wait_ready()
    second = setup.start("resyncInterval=1h", "leaderElection.table=" + TABLE)
    second.wait_for(event("standing_by"), timeout=30)
    assert first.stop() == 0
    setup.started.remove(first)
    second.wait_for(event("leader_elected"), timeout=10)  # well before the lease would expire
