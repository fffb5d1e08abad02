"""A leader whose lease renewal hangs stops writing before a standby takes over.

Two replicas share a lease table, each signing with its own access key. The sandbox holds
every DynamoDB PutItem of the leader far past the lease (its renewals hang, as on a
network partition), while the standby's calls go through. The sandbox's call journal
names each call's access key and when it arrived and was answered, so the test orders
the two replicas' writes from the server's side.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.harness.moto import writes_by
from tests.harness.world import LEASE_TABLE
from tests.integration.daemon.conftest import Setup, event

pytestmark = pytest.mark.slow  # two daemons, a lease waited out

LEASE = (
    "resyncInterval=1h",
    "leaderElection.table=" + LEASE_TABLE,
    "leaderElection.leaseDuration=3s",
)
STALL_SECONDS = 30  # far past the 3 s lease: the old leader's renewals never come back


def at(logged: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(logged["timestamp"])).timestamp()


def edit_token_lifetime(setup: Setup, old: str, new: str) -> None:
    payments = setup.folder / "payments.yaml"
    text = payments.read_text()
    assert f"tokenLifetime: {old}" in text
    payments.write_text(text.replace(f"tokenLifetime: {old}", f"tokenLifetime: {new}"))


def test_the_old_leader_stops_writing_before_the_standby_takes_over(setup: Setup) -> None:
    setup.world.create_lease_table()
    old = setup.start(*LEASE, env={"AWS_ACCESS_KEY_ID": "replica-a"})
    old.wait_ready()
    new = setup.start(*LEASE, env={"AWS_ACCESS_KEY_ID": "replica-b"})
    new.wait_for(event("standing_by"), timeout=30)
    assert old.status()["controller"]["leader"] is True
    setup.world.moto.clear_journal()

    setup.world.moto.slow_down("PutItem", STALL_SECONDS, count=20, access_key="replica-a")
    edit_token_lifetime(setup, "15m", "20m")  # the old leader writes it while still valid
    lost = old.wait_for(event("leadership_lost"), timeout=30)
    edit_token_lifetime(setup, "20m", "25m")  # nobody may write it until the standby leads
    elected = new.wait_for(event("leader_elected"), timeout=30)
    new.wait_for(event("change", object="Service/orders-api", resource="idp:client"), 30)
    new.wait_for(event("cycle_finished", full=True, problems=0), timeout=60)

    journal = setup.world.moto.journal()
    old_writes, new_writes = writes_by(journal, "replica-a"), writes_by(journal, "replica-b")
    assert new_writes, "the standby, once leader, wrote the second edit"
    old_last = max((call["ended"] for call in old_writes), default=0.0)
    assert old_last < at(lost) <= at(elected), "the old leader stopped before the takeover"
    assert old_last < min(call["started"] for call in new_writes)
    assert str(elected["took_over"]).startswith("run/")  # waited out, not released
    assert old.status()["controller"]["leader"] is False
