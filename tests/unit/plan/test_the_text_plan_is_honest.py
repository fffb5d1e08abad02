"""The text plan says what apply will do, and only that, as changes: detect-mode findings,
orphans kept by a disabled prune and problems each stand apart, and "No changes" is said
only of a plan with nothing in it."""

from __future__ import annotations

from controller.plan import (
    NO_CHANGES,
    Change,
    FieldChange,
    Plan,
    render_text,
)
from controller.plan._desired import canonical_policy, trust_policy
from tests.harness.plans import BLOCKED, DETECTED, ORPHAN, SECRET, TASK_DEF


class TestNoChanges:
    def test_an_empty_plan_says_no_changes(self) -> None:
        text = render_text(Plan())

        assert text.splitlines()[0] == NO_CHANGES
        assert text.splitlines()[-1] == "Plan: 0 to create, 0 to update, 0 to delete, 0 to adopt."

    def test_no_changes_is_never_said_above_problems(self) -> None:
        text = render_text(Plan(problems=[BLOCKED]))

        assert "No changes" not in text
        assert '  ! Service/checkout: ecs:service "prod/checkout": EcsServiceMissing' in text
        assert text.splitlines()[-1].endswith("0 to adopt; 1 problem.")

    def test_findings_apply_leaves_alone_are_not_called_changes(self) -> None:
        text = render_text(Plan(changes=[DETECTED, ORPHAN]))

        assert text.splitlines()[0] == "No changes to apply."
        assert "ecs-oauth will perform" not in text


class TestSections:
    def test_detect_mode_findings_are_listed_and_counted_apart(self) -> None:
        text = render_text(Plan(changes=[TASK_DEF, DETECTED]))

        detect = text.index("Found in detect mode")
        assert text.index("# Service/orders-api") < detect < text.index("# Service/stock-sync")
        assert 'stock-sync" would get a new revision (drift)' in text
        assert "Plan: 0 to create, 1 to update," in text
        assert "; 1 found in detect mode." in text

    def test_orphans_are_listed_as_what_prune_would_delete(self) -> None:
        text = render_text(Plan(changes=[ORPHAN]))

        assert "would be deleted with --prune" in text
        assert '# Service/retired: iam:role "ecs-oauth-retired-exec" would be deleted' in text
        assert "0 to delete, 0 to adopt; 1 orphaned." in text

    def test_problems_come_after_every_change(self) -> None:
        text = render_text(Plan(changes=[TASK_DEF], problems=[BLOCKED]))

        assert text.index("# Service/orders-api") < text.index("! Service/checkout")


class TestWording:
    def test_a_task_definition_gets_a_new_revision_never_an_update_in_place(self) -> None:
        text = render_text(Plan(changes=[TASK_DEF]))

        assert 'ecs:task-definition "orders-api" will get a new revision' in text
        assert "in place" not in text

    def test_other_updates_are_in_place(self) -> None:
        tags = Change(
            "Role/x", "iam:role", "ecs-oauth-x", "update", (FieldChange("tags.a", "1", "2"),)
        )

        assert 'iam:role "ecs-oauth-x" will be updated in place' in render_text(Plan([tags]))

    def test_markers_print_as_they_are_and_values_as_json(self) -> None:
        text = render_text(Plan(changes=[SECRET, TASK_DEF]))

        assert "    + value.client_id = (known after apply)" in text
        assert (
            '    ~ taskRoleArn: "arn:aws:iam::1:role/theirs" -> "arn:aws:iam::1:role/ours"' in text
        )


class TestLongDocuments:
    def test_a_trust_policy_is_pretty_printed_one_member_a_line(self) -> None:
        policy = canonical_policy(trust_policy("123456789012", "us-east-1"))
        change = Change(
            "Role/x",
            "iam:role",
            "ecs-oauth-x",
            "create",
            (FieldChange("trustPolicy", None, policy),),
        )

        lines = render_text(Plan([change])).splitlines()

        start = lines.index("    + trustPolicy = {")
        assert '        "Statement": [' in lines[start + 1 :]
        assert "      }" in lines[start + 1 :]  # closed under the field, indented

    def test_a_short_document_stays_on_its_line(self) -> None:
        change = Change(
            "Role/x",
            "iam:role",
            "ecs-oauth-x",
            "update",
            (FieldChange("tags", {"a": "1"}, {"a": "2"}),),
        )

        assert '    ~ tags: {"a": "1"} -> {"a": "2"}' in render_text(Plan([change]))

    def test_a_long_before_and_after_each_get_their_own_block(self) -> None:
        old = {"Statement": [{"Effect": "Allow", "Resource": "x" * 40}]}
        new = {"Statement": [{"Effect": "Allow", "Resource": "y" * 40}]}
        change = Change(
            "Role/x", "iam:role", "ecs-oauth-x", "update", (FieldChange("policy", old, new),)
        )

        text = render_text(Plan([change]))

        assert "    ~ policy: {\n" in text
        assert "\n      -> {\n" in text
