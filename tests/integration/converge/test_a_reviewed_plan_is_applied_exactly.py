"""``plan -out FILE`` then ``apply FILE``: exactly the reviewed plan, or nothing.

Against the moto server and oidc-provider: the saved plan applies what it lists; a world
changed since (a revision registered by hand, an edited desired state) makes ``apply
FILE`` refuse with one line naming the change, before any write, which the strict peer's
call journal and the AWS state both show.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from tests.harness.aws_state import aws_state
from tests.harness.moto import writes_by
from tests.harness.world import ACCOUNT, SeededWorld

from ._live import latest_task_definition, secret_value
from .conftest import Cli, explain

SERVICES = ("checkout-worker", "orders-api", "stock-sync")


def as_caller(cli: Cli, access_key: str) -> Cli:
    """The same CLI signing with its own access key, so the journal tells its calls apart."""
    return Cli(cli.folder, {**cli.env, "AWS_ACCESS_KEY_ID": access_key})


def register_by_hand(world: SeededWorld, family: str) -> None:
    """A deploy pipeline registers a revision (a new image, say) and nothing else."""
    definition, _ = latest_task_definition(world, family)
    request = {k: v for k, v in definition.items() if k in ("family", "containerDefinitions")}
    world.client("ecs").register_task_definition(**request)


def save_plan(cli: Cli, path: Path) -> dict[str, Any]:
    result = cli("plan", "-out", str(path))
    assert result.returncode == 0, explain(result)
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def kinds_of(changes: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(c["object"], c["resource"], c["action"]) for c in changes if c["applied"]}


class TestTheSavedPlanIsApplied:
    def test_apply_file_makes_exactly_the_planned_changes(
        self, cli: Cli, world: SeededWorld, tmp_path: Path
    ) -> None:
        saved = save_plan(cli, tmp_path / "p")

        applied = cli("apply", str(tmp_path / "p"), "--output", "json")

        assert applied.returncode == 0, explain(applied)
        done = json.loads(applied.stdout)
        assert done["problems"] == []
        assert kinds_of(done["changes"]) == kinds_of(saved["changes"])
        assert len(done["changes"]) == len(saved["changes"])
        cli.assert_in_sync()
        assert all(secret_value(world, service)["client_id"] for service in SERVICES)

    def test_the_file_says_how_to_apply_it_and_only_its_owner_reads_it(
        self, cli: Cli, tmp_path: Path
    ) -> None:
        path = tmp_path / "p"
        path.write_text("left over")
        path.chmod(0o644)

        result = cli("plan", "-out", str(path))

        assert result.returncode == 0, explain(result)
        assert f"ecs-oauth apply {path}" in result.stdout
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        document = json.loads(path.read_text())
        assert document["kind"] == "ecs-oauth/plan"
        assert document["context"]["account"] == ACCOUNT
        assert document["inputs"]["desired"] == str(cli.folder.resolve())
        assert document["fingerprint"]["reads"]["Service/orders-api"]

    def test_apply_file_shows_the_plan_and_progress_then_the_past_tense(
        self, cli: Cli, tmp_path: Path
    ) -> None:
        save_plan(cli, tmp_path / "p")

        result = cli("apply", str(tmp_path / "p"))

        assert result.returncode == 0, explain(result)
        assert result.stdout.startswith(f"Account {ACCOUNT}, region ")
        assert "will perform the following actions" in result.stdout
        assert "ecs:task-definition orders-api: registering revision… done in" in result.stderr
        assert result.stdout.rstrip().endswith("Apply complete: 13 created, 6 updated, 0 deleted")

    def test_a_plan_with_nothing_to_do_applies_nothing(self, cli: Cli, tmp_path: Path) -> None:
        cli.apply()
        save_plan(cli, tmp_path / "p")

        result = cli("apply", str(tmp_path / "p"))

        assert result.returncode == 0, explain(result)
        assert "No changes." in result.stdout
        assert result.stdout.rstrip().endswith("Apply complete: 0 created, 0 updated, 0 deleted")
        assert "…" not in result.stderr  # no write started


class TestAChangedWorldRefusesIt:
    def test_a_revision_registered_by_hand_refuses_it_and_nothing_is_written(
        self, cli: Cli, world: SeededWorld, tmp_path: Path
    ) -> None:
        save_plan(cli, tmp_path / "p")
        register_by_hand(world, "orders-api")
        before = aws_state(world)
        world.moto.clear_journal()

        result = as_caller(cli, "apply")("apply", str(tmp_path / "p"))

        assert result.returncode == 1, explain(result)
        [refusal] = result.stderr.strip().splitlines()
        assert refusal == (
            "error: the live state changed: Service/orders-api: ecs:task-definition latest "
            "orders-api (and 2 more reads) since the plan was made; nothing written: run plan "
            "again"  # the new revision was described, and its tags read, instead of the old
        )
        assert writes_by(world.moto.journal(), "apply") == []
        assert aws_state(world) == before

    def test_an_edited_desired_state_refuses_it_before_any_aws_call(
        self, cli: Cli, world: SeededWorld, tmp_path: Path
    ) -> None:
        save_plan(cli, tmp_path / "p")
        payments = cli.folder / "payments.yaml"
        payments.write_text(payments.read_text().replace("tokenLifetime: 10m", "tokenLifetime: 5m"))
        calls = world.moto.calls()

        result = cli("apply", str(tmp_path / "p"))

        assert result.returncode == 1, explain(result)
        assert result.stderr.strip() == (
            f"error: the desired state changed: Role/checkout was edited since {tmp_path / 'p'} "
            "was made; nothing written: run plan again"
        )
        assert world.moto.calls() == calls

    def test_inputs_given_beside_a_saved_plan_are_refused(self, cli: Cli, tmp_path: Path) -> None:
        save_plan(cli, tmp_path / "p")
        elsewhere = tmp_path / "other"
        elsewhere.mkdir()

        overridden = cli("apply", str(tmp_path / "p"), "--set", "concurrency=2")
        moved = Cli(elsewhere, cli.env)("apply", str(tmp_path / "p"))

        assert overridden.returncode == 1, explain(overridden)
        assert overridden.stderr.strip().endswith(
            "carries the inputs it was planned with: drop --set"
        )
        assert moved.returncode == 1, explain(moved)
        assert "was planned for the desired state" in moved.stderr

    def test_a_file_that_is_no_plan_is_refused_in_one_line(self, cli: Cli, tmp_path: Path) -> None:
        (tmp_path / "p").write_text('{"changes": []}')

        result = cli("apply", str(tmp_path / "p"))

        assert result.returncode == 1, explain(result)
        assert (
            result.stderr.strip()
            == f"error: {tmp_path / 'p'} is not a plan saved by ecs-oauth plan -out"
        )
