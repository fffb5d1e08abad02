"""Progress lines while apply writes, and the past-tense summary after."""

from __future__ import annotations

from controller.plan import Change, Plan, Problem, apply_summary, progress_line

REVISION = Change("Service/orders-api", "ecs:task-definition", "orders-api", "update")
ROLE = Change("Role/x", "iam:role", "ecs-oauth-x", "create")


class TestProgressLines:
    def test_a_write_that_starts_says_what_it_does(self) -> None:
        assert progress_line(REVISION) == "ecs:task-definition orders-api: registering revision…"

    def test_a_write_that_ended_says_how_long_it_took(self) -> None:
        assert progress_line(REVISION, 1.234) == (
            "ecs:task-definition orders-api: registering revision… done in 1.2s"
        )

    def test_a_write_that_failed_says_why(self) -> None:
        assert progress_line(ROLE, 0.31, "AccessDenied") == (
            "iam:role ecs-oauth-x: creating… failed after 0.3s (AccessDenied)"
        )

    def test_a_deployment_is_started_not_updated(self) -> None:
        roll = Change("Service/a", "ecs:service", "prod/a", "update")

        assert progress_line(roll) == "ecs:service prod/a: starting deployment…"


class TestSummary:
    def test_it_is_in_the_past_tense_with_the_problems_counted(self) -> None:
        done = Plan(
            changes=[ROLE, ROLE, ROLE, REVISION],
            problems=[Problem("Service/b", "ecs:service", "prod/b", "EcsServiceMissing", "x")],
        )

        assert apply_summary(done) == "Apply complete: 3 created, 1 updated, 0 deleted; 1 problem"

    def test_adoptions_show_only_when_there_are_some(self) -> None:
        adopted = Change("Service/a", "secretsmanager:secret", "ecs-oauth/a", "adopt")

        assert apply_summary(Plan([adopted])) == (
            "Apply complete: 0 created, 0 updated, 0 deleted, 1 adopted"
        )

    def test_findings_left_alone_are_not_counted_as_done(self) -> None:
        detected = Change("Service/a", "ecs:task-definition", "a", "update", withheld="detect")

        assert apply_summary(Plan([detected])) == "Apply complete: 0 created, 0 updated, 0 deleted"
