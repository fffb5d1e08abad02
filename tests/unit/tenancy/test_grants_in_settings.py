"""The tenancy section is the platform's: checked where it is written, like any setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.config import load_desired, load_settings
from controller.desired import DesiredStateError
from controller.tenancy._globs import matches

ROOT = Path(__file__).resolve().parents[3]
VALUES = ROOT / "helm-style-config" / "values.yaml"
PRODUCTION = ROOT / "helm-style-config" / "environments" / "production.yaml"


def refusal(tmp_path: Path, text: str) -> str:
    values = tmp_path / "values.yaml"
    values.write_text(text)
    with pytest.raises(DesiredStateError) as raised:
        load_settings([VALUES, values], [])
    [problem] = raised.value.diagnostics
    return str(problem)


def test_the_example_teams_are_admitted_under_the_production_overlay() -> None:
    settings = load_settings([VALUES, PRODUCTION], [])
    assert set(settings.tenancy.teams) == {"payments", "inventory", "billing"}
    state = load_desired(ROOT / "examples", settings)
    assert state.object_count == 18


def test_a_folder_two_owners_share_is_refused_where_it_was_written(tmp_path: Path) -> None:
    message = refusal(
        tmp_path,
        "tenancy:\n  platformPaths: [teams]\n  teams:\n    a: {paths: [teams/a]}\n",
    )
    assert message.startswith(f"{tmp_path}/values.yaml:1:1: error: tenancy:")
    assert "folder 'teams/a' of team a overlaps 'teams' of platformPaths" in message


def test_a_folder_that_climbs_out_of_the_root_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, "tenancy:\n  teams:\n    a: {paths: [../elsewhere]}\n")
    assert ":3:17: error: tenancy.teams.a.paths.0:" in message
    assert "relative to the desired-state root, without '..'" in message


def test_team_grants_may_come_from_set_too() -> None:
    settings = load_settings([VALUES], ["tenancy.teams.a.paths=[teams/a]"])
    assert settings.tenancy.teams["a"].paths == ["teams/a"]
    assert settings.tenancy.enforced


@pytest.mark.parametrize(
    ("value", "globs", "granted"),
    [
        ("prod/orders-api", ["prod/orders-*"], True),
        ("prod/orders-api", ["prod/orders-ap?"], True),
        ("prod/checkout", ["prod/orders-*"], False),
        ("staging/orders-api", ["prod/orders-*"], False),
        ("orders-api", [], False),
        ("role/[a]", ["role/[a]"], True),  # brackets are literal, as in IAM
        ("role/a", ["role/[a]"], False),
        ("prod/orders-api\nx", ["prod/orders-api"], False),
    ],
)
def test_globs_read_star_and_question_mark_as_iam_does(
    value: str, globs: list[str], granted: bool
) -> None:
    assert matches(value, globs) is granted


def test_the_readmes_tenancy_example_is_valid_settings(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Many teams, one tree: tenancy") :]
    block = section[section.index("```yaml\n") + len("```yaml\n") : section.index("```\n", 10)]
    values = tmp_path / "values.yaml"
    values.write_text(block)
    settings = load_settings([VALUES, values], [])
    assert settings.tenancy.teams["payments"].ecs_services == ["prod/orders-*", "prod/checkout-*"]
    assert settings.tenancy.permissions_boundary_arn is not None
