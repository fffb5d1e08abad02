"""``apply`` takes the daemon's lease: refused while a daemon leads, unless forced.

A daemon leads on a lease table; ``apply`` (signing with its own access key, so the
sandbox's journal tells its calls apart) must not write next to it. ``plan`` takes no
lease and never writes.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from tests.harness.daemon import RunningDaemon, daemon_environment
from tests.harness.moto import writes_by
from tests.harness.world import LEASE_TABLE, SeededWorld
from tests.integration.converge.conftest import Cli, explain

pytestmark = pytest.mark.slow  # a daemon converging next to the CLI

LEASE = ("--set", f"leaderElection.table={LEASE_TABLE}", "--set", "leaderElection.leaseDuration=3s")


def start_daemon(world: SeededWorld, cli: Cli) -> RunningDaemon:
    """A daemon leading on the lease table, its first cycle done."""
    world.create_lease_table()
    settings = ("resyncInterval=1h", f"leaderElection.table={LEASE_TABLE}")
    env = daemon_environment({**cli.env, "AWS_ACCESS_KEY_ID": "daemon"})
    running = RunningDaemon.start(cli.folder, env, *settings, "leaderElection.leaseDuration=3s")
    running.wait_ready()
    assert running.status()["controller"]["leader"] is True
    return running


@pytest.fixture
def daemon(world: SeededWorld, cli: Cli) -> Iterator[RunningDaemon]:
    running = start_daemon(world, cli)
    yield running
    assert running.stop(signal.SIGTERM) == 0, running.output()


def as_caller(cli: Cli, access_key: str) -> Cli:
    return Cli(cli.folder, {**cli.env, "AWS_ACCESS_KEY_ID": access_key})


def holder(daemon: RunningDaemon) -> str:
    elected = daemon.wait_for(lambda e: e.get("event") == "leader_elected")
    return str(elected["holder"])


def test_apply_while_a_daemon_leads_is_refused_naming_the_holder(
    world: SeededWorld, cli: Cli, daemon: RunningDaemon
) -> None:
    world.moto.clear_journal()

    result = as_caller(cli, "apply")("apply", "--auto-approve", *LEASE)

    assert result.returncode == 1, explain(result)
    [refusal] = result.stderr.strip().splitlines()  # one line says it all
    assert refusal.startswith("error: apply refused"), explain(result)
    assert holder(daemon) in refusal
    assert f"/{daemon.process.pid}/" in refusal
    assert "--force-unlock" in refusal
    journal = world.moto.journal()
    assert writes_by(journal, "apply") == []
    apply_calls = {c["operation"] for c in journal if c["accessKey"] == "apply"}
    assert not {"PutItem", "DeleteItem"} & apply_calls  # not even the lease was touched
    assert daemon.status()["controller"]["leader"] is True


def test_apply_with_force_unlock_takes_the_lease_over_and_warns(
    world: SeededWorld, cli: Cli, daemon: RunningDaemon
) -> None:
    seen = len(daemon.events)

    result = as_caller(cli, "apply")("apply", "--auto-approve", "--force-unlock", *LEASE)

    assert result.returncode == 0, explain(result)
    assert "Apply complete: " in result.stdout
    warning = next(line for line in result.stderr.splitlines() if line.startswith("warning:"))
    assert "--force-unlock" in warning
    assert holder(daemon) in warning
    daemon.wait_for(lambda e: e.get("event") == "leadership_lost", timeout=10, after=seen)
    # apply released the lease at its end: the daemon takes it back at once
    daemon.wait_for(lambda e: e.get("event") == "leader_elected", timeout=10, after=seen)


def test_plan_takes_no_lease_and_never_writes(
    world: SeededWorld, cli: Cli, daemon: RunningDaemon
) -> None:
    world.moto.clear_journal()

    result = as_caller(cli, "plan")("plan", *LEASE)

    assert result.returncode == 0, explain(result)
    calls = [c for c in world.moto.journal() if c["accessKey"] == "plan"]
    assert calls
    # It reads the identity providers' convergence records kept in the table, never the
    # lease item.
    read = [
        (c["operation"], c["params"]["Key"]["name"]["S"])
        for c in calls
        if c["service"] == "dynamodb"
    ]
    assert read == [("GetItem", "ecs-oauth/default/converged/IdentityProvider/corp")]
    assert writes_by(calls, "plan") == []


def test_a_second_daemon_warns_at_start_that_the_first_holds_the_lease(
    world: SeededWorld, cli: Cli, daemon: RunningDaemon
) -> None:
    env = daemon_environment({**cli.env, "AWS_ACCESS_KEY_ID": "second"})
    settings = ("resyncInterval=1h", f"leaderElection.table={LEASE_TABLE}")
    second = RunningDaemon.start(cli.folder, env, *settings, "leaderElection.leaseDuration=3s")

    assert second.stop(signal.SIGTERM) == 0, second.output()
    warning = next(line for line in second.stderr.splitlines() if "holds the lease" in line)
    assert warning == (
        f"warning: {holder(daemon)} holds the lease of controller default (table {LEASE_TABLE}): "
        "this replica stands by and writes nothing while that one renews it"
    )


def test_apply_waits_out_a_holder_that_is_gone_and_proceeds(world: SeededWorld, cli: Cli) -> None:
    gone = start_daemon(world, cli)
    gone.stop(signal.SIGKILL)  # no release: its lease item stays behind

    result = as_caller(cli, "apply")("apply", "--auto-approve", *LEASE)

    assert result.returncode == 0, explain(result)
    assert "which has not renewed it" in result.stderr
    assert "warning:" not in result.stderr  # nothing was forced


def test_apply_without_the_lease_table_is_refused_in_one_line(world: SeededWorld, cli: Cli) -> None:
    world.moto.clear_journal()

    result = as_caller(cli, "apply")("apply", "--auto-approve", *LEASE)  # nobody created the table

    assert result.returncode == 1, explain(result)
    [refusal] = result.stderr.strip().splitlines()
    assert refusal.startswith("error: apply could not take the lease"), refusal
    assert "ResourceNotFoundException" in refusal
    assert writes_by(world.moto.journal(), "apply") == []


def test_rotate_while_a_daemon_leads_is_refused_and_writes_nothing(
    world: SeededWorld, cli: Cli, daemon: RunningDaemon
) -> None:
    world.moto.clear_journal()

    result = as_caller(cli, "rotate")("rotate", "orders-api", "--no-wait", *LEASE)

    assert result.returncode == 1, explain(result)
    [refusal] = result.stderr.strip().splitlines()
    assert refusal.startswith("error: rotate refused"), explain(result)
    assert holder(daemon) in refusal
    assert "run rotate with --force-unlock" in refusal
    assert writes_by(world.moto.journal(), "rotate") == []


def test_rotate_with_force_unlock_takes_the_lease_over_and_rotates(
    world: SeededWorld, cli: Cli, daemon: RunningDaemon
) -> None:
    seen = len(daemon.events)
    world.moto.clear_journal()

    result = as_caller(cli, "rotate")("rotate", "orders-api", "--no-wait", "--force-unlock", *LEASE)

    assert result.returncode == 0, explain(result)
    assert "Rotation of orders-api" in result.stdout
    warning = next(line for line in result.stderr.splitlines() if line.startswith("warning:"))
    assert "--force-unlock" in warning
    assert holder(daemon) in warning
    written = {c["operation"] for c in writes_by(world.moto.journal(), "rotate")}
    assert "PutSecretValue" in written  # the new credential was stored by the forced run
    daemon.wait_for(lambda e: e.get("event") == "leadership_lost", timeout=10, after=seen)
    daemon.wait_for(lambda e: e.get("event") == "leader_elected", timeout=10, after=seen)
