"""What a plan shows besides the changes apply makes, and what narrows it.

Orphans (the resources of an object no longer declared) are listed even without
``--prune``, as what ``--prune`` would delete, and never counted as changes; ``--prune``
then deletes them, since one object in a small tree is under ``prune.minCount``.
``--target`` and ``-l`` narrow plan and apply to the objects picked and what they need.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness.world import ACCOUNT, SeededWorld

from ._live import describe_secret
from .conftest import Cli, explain

RETIRED = "orders-api"
ORPHANED = {("idp:client", "delete"), ("secretsmanager:secret", "delete"), ("iam:role", "delete")}
LISTING_LAG_SECONDS = 30


def retire(cli: Cli, service: str) -> None:
    """Take the Service's document out of the desired state."""
    payments = cli.folder / "payments.yaml"
    documents = payments.read_text().split("---\n")
    kept = [d for d in documents if f"metadata: {{name: {service}}}" not in d]
    assert len(kept) == len(documents) - 1
    payments.write_text("---\n".join(kept))


def label(cli: Cli, service: str, labels: str) -> None:
    for path in cli.folder.glob("*.yaml"):
        text = path.read_text()
        named = f"metadata: {{name: {service}}}"
        if named in text:
            path.write_text(text.replace(named, f"metadata: {{name: {service}, labels: {labels}}}"))


def objects(plan: dict[str, Any]) -> set[str]:
    return {change["object"] for change in plan["changes"]}


class TestOrphans:
    @pytest.fixture
    def retired(self, cli: Cli) -> Cli:
        cli.apply()
        retire(cli, RETIRED)
        # ListSecrets and IAM's batch read lag behind writes (AWS documents both, the peer
        # lags as they do): orphans show once the listings caught up with the apply.
        deadline = time.monotonic() + LISTING_LAG_SECONDS
        while cli.plan_json()["summary"]["orphaned"] < len(ORPHANED):
            assert time.monotonic() < deadline, cli.runs[-1].stdout
            time.sleep(1)
        return cli

    def test_they_are_listed_without_prune_as_what_prune_would_delete(self, retired: Cli) -> None:
        text = retired("plan", "--detailed-exitcode")
        plan = retired.plan_json()

        assert text.returncode == 0, explain(text)  # nothing apply would change
        assert "would be deleted with --prune" in text.stdout
        assert f'# Service/{RETIRED}: iam:role "ecs-oauth-{RETIRED}-exec" would be deleted' in (
            text.stdout
        )
        orphans = [c for c in plan["changes"] if c["object"] == f"Service/{RETIRED}"]
        assert {(c["resource"], c["action"]) for c in orphans} == ORPHANED
        assert all((c["applied"], c["reason"]) == (False, "prune") for c in orphans)
        assert plan["summary"]["orphaned"] == len(orphans)
        assert plan["summary"]["delete"] == 0

    def test_apply_without_prune_deletes_none(self, retired: Cli, world: SeededWorld) -> None:
        result = retired.apply()

        assert "No changes to apply." in result.stdout
        assert result.stdout.rstrip().endswith("Apply complete: 0 created, 0 updated, 0 deleted")
        assert "DeletedDate" not in describe_secret(world, RETIRED)

    def test_prune_deletes_one_object_of_a_small_tree_without_force(
        self, retired: Cli, world: SeededWorld
    ) -> None:
        result = retired.apply("--prune")

        assert result.stdout.rstrip().endswith("Apply complete: 0 created, 0 updated, 3 deleted")
        assert "DeletedDate" in describe_secret(world, RETIRED)
        retired.assert_in_sync()

    def test_without_the_floor_the_fraction_refuses_it(self, retired: Cli) -> None:
        result = retired("apply", "--auto-approve", "--prune", "--set", "prune.minCount=0")

        assert result.returncode == 1, explain(result)
        assert "PruneLimitExceeded: would delete the resources of 1 of 6 managed objects" in (
            result.stdout
        )


class TestSelection:
    def test_a_target_plans_the_object_and_what_it_needs_only(self, cli: Cli) -> None:
        plan = cli.plan_json("--target", "service/orders-api")

        assert objects(plan) == {
            "IdentityProvider/corp",
            "Role/orders-reader",
            "Service/orders-api",
        }

    def test_apply_with_a_target_converges_that_object_alone(
        self, cli: Cli, world: SeededWorld
    ) -> None:
        cli.apply("--target", "Service/orders-api")

        assert describe_secret(world, "orders-api")["ARN"]
        with pytest.raises(ClientError, match="ResourceNotFoundException"):
            describe_secret(world, "checkout-worker")
        assert cli.plan_json("--target", "Service/orders-api")["changes"] == []
        assert "Service/checkout-worker" in objects(cli.plan_json())

    def test_a_label_selector_picks_the_labelled_objects(self, cli: Cli) -> None:
        label(cli, "orders-api", "{team: payments}")
        label(cli, "checkout-worker", "{team: payments}")

        plan = cli.plan_json("-l", "team=payments")

        services = {o for o in objects(plan) if o.startswith("Service/")}
        assert services == {"Service/orders-api", "Service/checkout-worker"}

    def test_a_selector_that_picks_nothing_is_one_error_line(self, cli: Cli) -> None:
        result = cli("plan", "-l", "team=nobody")

        assert result.returncode == 1, explain(result)
        assert (
            result.stderr.strip() == "error: -l team=nobody matches no object of the desired state"
        )

    def test_the_plan_names_where_it_runs_first(self, cli: Cli) -> None:
        result = cli("plan", "--target", "Service/orders-api")

        first = result.stdout.splitlines()[0]
        assert re.fullmatch(
            rf"Account {ACCOUNT}, region us-east-1, controller default, desired state "
            rf"{re.escape(str(cli.folder))}",
            first,
        ), first
