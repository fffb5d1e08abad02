"""Two teams commit to one desired-state tree; the platform's settings grant each its own.

Team B (inventory) tries each attack of the security review in its own folder. Each gets a
located error from ``validate``, and ``plan`` and ``apply`` refuse it before any AWS call:
the AWS world is the same before and after.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness.aws_state import aws_state
from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.harness.tenancy import ATTACKS, Attack, into_team_folders, tenancy_values
from tests.harness.world import SeededWorld

from ._live import MANAGED_BY, tags
from .conftest import Cli, converge_fresh, explain, seed_fresh
from .test_ecs_services_are_deployed_as_ecs_allows import problems

LOCATED = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<column>\d+): error: (?P<message>.+)$")


@dataclass
class TwoTeams:
    world: SeededWorld
    cli: Cli
    values: Path

    @property
    def inventory(self) -> Path:
        return self.cli.folder / "inventory" / "inventory.yaml"

    def run(self, command: str, *args: str) -> tuple[int, list[re.Match[str]], str]:
        result = self.cli(command, "--values", str(self.values), *args)
        located = [m for line in result.stderr.splitlines() if (m := LOCATED.match(line))]
        return result.returncode, located, result.stdout + result.stderr


@pytest.fixture(scope="module")
def two_teams(
    moto_server: MotoPeer,
    oidc_provider_server: OidcProviderPeer,
    tmp_path_factory: pytest.TempPathFactory,
) -> TwoTeams:
    folder = tmp_path_factory.mktemp("two-teams") / "desired"
    converged = converge_fresh(moto_server, oidc_provider_server, folder, through_cli=False)
    into_team_folders(folder)
    return TwoTeams(converged.world, converged.cli, tenancy_values(folder, converged.world))


@pytest.fixture
def attacked(two_teams: TwoTeams, request: pytest.FixtureRequest) -> tuple[TwoTeams, Attack]:
    attack: Attack = ATTACKS[request.param]
    original = two_teams.inventory.read_text()
    two_teams.inventory.write_text(original + "---\n" + attack.document)
    yield two_teams, attack  # type: ignore[misc]
    two_teams.inventory.write_text(original)


def test_the_two_teams_tree_validates_plans_in_sync_and_each_file_has_an_owner(
    two_teams: TwoTeams,
) -> None:
    code, located, output = two_teams.run("validate")
    assert (code, located) == (0, []), output
    assert "valid" in output
    code, located, output = two_teams.run("plan", "--detailed-exitcode")
    assert code == 0, output


@pytest.mark.parametrize("attacked", list(ATTACKS), indirect=True)
class TestTeamBsAttack:
    def test_validate_names_the_rule_at_the_line_team_b_wrote(
        self, attacked: tuple[TwoTeams, Attack]
    ) -> None:
        teams, attack = attacked
        code, located, output = teams.run("validate")
        assert code == 1, output
        [hit] = [m for m in located if m["message"].startswith(attack.refusal)]
        assert Path(hit["file"]) == teams.inventory
        first_added_line = teams.inventory.read_text().count("\n") - attack.document.count("\n")
        assert int(hit["line"]) >= first_added_line, output  # in team B's own document

    @pytest.mark.parametrize("command", [("plan",), ("apply", "--auto-approve")])
    def test_plan_and_apply_refuse_it_before_any_aws_call(
        self, attacked: tuple[TwoTeams, Attack], command: tuple[str, ...]
    ) -> None:
        teams, attack = attacked
        before, calls = aws_state(teams.world), teams.world.moto.calls()

        code, located, output = teams.run(*command)

        assert code == 1, output
        assert any(m["message"].startswith(attack.refusal) for m in located), output
        assert teams.world.moto.calls() == calls
        assert aws_state(teams.world) == before


def test_adopting_what_another_controller_owns_is_refused_and_left_as_it_was(
    tmp_path: Path, moto_server: MotoPeer, oidc_provider_server: OidcProviderPeer
) -> None:
    world, cli = seed_fresh(moto_server, oidc_provider_server, tmp_path / "desired")
    into_team_folders(cli.folder)
    values = tenancy_values(cli.folder, world)
    inventory = cli.folder / "inventory" / "inventory.yaml"
    inventory.write_text(
        inventory.read_text().replace(
            "  service: stock-sync\n", "  service: stock-sync\n  adopt: true\n"
        )
    )
    foreign = {MANAGED_BY: "warehouse-prod", "ecs-oauth.dev/owner": "Service/stock-sync"}
    sm = world.client("secretsmanager")
    value = json.dumps({"client_id": "theirs", "client_secret": "theirs"})
    sm.create_secret(
        Name="ecs-oauth/stock-sync",
        SecretString=value,
        Tags=[{"Key": k, "Value": v} for k, v in foreign.items()],
    )

    result = cli("apply", "--auto-approve", "--values", str(values))

    assert result.returncode == 1, explain(result)
    resource, reason, message = problems(cli)["Service/stock-sync"]
    assert (resource, reason) == ("secretsmanager:secret", "OwnedByOtherController")
    assert "'warehouse-prod'" in message
    described = sm.describe_secret(SecretId="ecs-oauth/stock-sync")
    assert tags(described["Tags"]) == foreign
    assert sm.get_secret_value(SecretId="ecs-oauth/stock-sync")["SecretString"] == value
