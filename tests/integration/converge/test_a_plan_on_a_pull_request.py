"""``plan --output markdown`` against the sandbox, as a pull request's pipeline runs it:
the comment says what changed and where, never a secret, and every AWS call the plan made
is allowed by the README's read-only planner policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.harness.iam_policy import Request, allows
from tests.harness.iam_requests import Account, requests_of
from tests.harness.world import ACCOUNT, LEASE_TABLE, SeededWorld
from tests.integration.sandbox._readme import fenced, section

from .conftest import Cli, explain


def planner_policy() -> dict[str, Any]:
    [text] = fenced(section("Plans on pull requests"), "json")
    policy: dict[str, Any] = json.loads(text)
    return policy


def refused(world: SeededWorld) -> list[tuple[str, Request]]:
    """Each permission check of the journaled calls the planner policy would deny."""
    journal = world.moto.journal()  # before this test's own reads join it
    iam = world.client("iam")
    paths = {role["RoleName"]: role["Path"] for role in iam.list_roles()["Roles"]}
    account = Account(ACCOUNT, paths)
    policy = planner_policy()
    return [
        (call["operation"], request)
        for call in journal
        for request in requests_of(call, account)
        if not allows(policy, request)
    ]


def markdown_plan(world: SeededWorld, cli: Cli, *args: str) -> str:
    """The markdown plan made with an empty journal; exit 0 (nothing blocks)."""
    world.moto.clear_journal()
    result = cli("plan", "--output", "markdown", *args)
    assert result.returncode == 0, explain(result)
    return result.stdout


def secret_values(world: SeededWorld) -> list[str]:
    secrets = world.client("secretsmanager")
    names = [s["Name"] for s in secrets.list_secrets()["SecretList"]]
    return [secrets.get_secret_value(SecretId=name)["SecretString"] for name in names]


class TestThePlannerPolicyAllowsEveryCall:
    def test_a_plan_of_a_converged_world_makes_only_allowed_reads(
        self, world: SeededWorld, cli: Cli
    ) -> None:
        cli.apply()

        text = markdown_plan(world, cli)
        operations = {call["operation"] for call in world.moto.journal()}

        assert "**No changes.**" in text
        assert {"GetSecretValue", "DescribeUserPoolClient", "DescribeTaskDefinition"} <= operations
        assert refused(world) == []

    def test_a_plan_reading_convergence_records_from_the_lease_table_is_allowed(
        self, world: SeededWorld, cli: Cli
    ) -> None:
        world.create_lease_table(LEASE_TABLE)
        table = ("--set", f"leaderElection.table={LEASE_TABLE}")
        cli.apply(*table)

        markdown_plan(world, cli, *table)

        assert "GetItem" in {call["operation"] for call in world.moto.journal()}
        assert refused(world) == []

    def test_a_plan_before_the_first_apply_is_allowed_too(
        self, world: SeededWorld, cli: Cli
    ) -> None:
        text = markdown_plan(world, cli)

        assert "#### Changes apply will make" in text
        assert refused(world) == []


class TestTheComment:
    def test_drift_is_marked_and_secrets_never_shown(self, world: SeededWorld, cli: Cli) -> None:
        cli.apply()
        iam = world.client("iam")
        iam.tag_role(
            RoleName="ecs-oauth-checkout", Tags=[{"Key": "ecs-oauth.dev/owner", "Value": "x"}]
        )

        text = markdown_plan(world, cli)

        assert "**drift**" in text
        assert "| To create | To update |" in text
        for value in secret_values(world):
            for member in json.loads(value).values():
                if isinstance(member, str) and len(member) >= 8 and "://" not in member:
                    assert member not in text

    def test_the_exit_codes_are_plans(self, world: SeededWorld, cli: Cli) -> None:
        result = cli("plan", "-o", "markdown", "--detailed-exitcode")

        assert result.returncode == 2, explain(result)
        assert result.stdout.startswith("### ecs-oauth plan")

    def test_a_problem_names_its_file_and_line_and_fails_the_job(
        self, world: SeededWorld, cli: Cli
    ) -> None:
        world.client("ecs").delete_service(cluster="prod", service="stock-sync", force=True)

        result = cli("plan", "--output", "markdown")

        assert result.returncode == 1, explain(result)
        [line] = [line for line in result.stdout.splitlines() if "EcsServiceDraining" in line]
        place = line.split("`")[1]
        file, number = place.rsplit(":", 1)
        declared = Path(file).read_text().splitlines()[int(number) - 1 :]
        assert "**Service/stock-sync**" in line
        assert any("name: stock-sync" in text for text in declared[:5])
