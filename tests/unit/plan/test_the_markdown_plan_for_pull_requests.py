"""The markdown plan a pull request gets as a comment: counts first, each object's changes
with before and after, drift, detect-mode findings and orphans apart, problems at the line
to fix, and never a secret."""

from __future__ import annotations

from controller.plan import (
    KNOWN_AFTER_APPLY,
    SENSITIVE,
    Change,
    Context,
    FieldChange,
    Plan,
    Sensitive,
    render_markdown,
)
from controller.plan._markdown import CELL_LIMIT, OPEN_FIELDS
from tests.harness.plans import BLOCKED, DETECTED, ORPHAN, TASK_DEF

SENSITIVE_UPDATE = Change(
    "Service/orders-api",
    "secretsmanager:secret",
    "ecs-oauth/orders-api",
    "update",
    (
        FieldChange("value.client_secret", Sensitive("old-hunter2"), Sensitive("new-hunter2")),
        FieldChange("value.client_id", None, KNOWN_AFTER_APPLY),
    ),
)
DRIFTED = Change(
    "Role/orders-reader",
    "iam:role",
    "ecs-oauth-orders-reader",
    "update",
    (FieldChange("tags.owner", "someone", "team-a"),),
    drift=True,
)
PLACES = {"Service/checkout": "examples/payments/checkout.yaml:12"}


def section(text: str, title: str) -> str:
    """The lines under a ``####`` heading, up to the next one."""
    start = text.index(title)
    end = text.find("\n####", start + 1)
    return text[start : end if end >= 0 else len(text)]


class TestTheSummaryTable:
    def test_counts_each_kind_of_change_drift_and_problems(self) -> None:
        plan = Plan([TASK_DEF, SENSITIVE_UPDATE, DRIFTED, DETECTED, ORPHAN], [BLOCKED])

        lines = render_markdown(plan).splitlines()
        header = lines.index(
            "| To create | To update | To delete | To adopt | Drift | Detect mode | Orphaned "
            "| Problems |"
        )

        assert lines[header + 2] == "| 0 | 3 | 0 | 0 | 1 | 1 | 1 | 1 |"

    def test_an_empty_plan_says_no_changes_under_the_table(self) -> None:
        text = render_markdown(Plan())

        assert "**No changes.**" in text
        assert "####" not in text

    def test_the_context_names_account_region_and_desired_state(self) -> None:
        context = Context("123456789012", "eu-west-1", "platform-prod", "desired/")

        text = render_markdown(Plan(), context)

        assert "Account `123456789012`, region `eu-west-1`" in text
        assert "desired state `desired/`" in text


class TestChangesPerObject:
    def test_a_change_shows_its_fields_before_and_after(self) -> None:
        text = render_markdown(Plan([TASK_DEF]))

        assert "**Service/orders-api**: `ecs:task-definition` `orders-api` will get a new" in text
        assert (
            "| `taskRoleArn` | `arn:aws:iam::1:role/theirs` | `arn:aws:iam::1:role/ours` |" in text
        )

    def test_a_value_known_after_apply_is_a_note_not_a_value(self) -> None:
        text = render_markdown(Plan([SENSITIVE_UPDATE]))

        assert "| `value.client_id` | _(none)_ | _(known after apply)_ |" in text

    def test_drift_is_marked_as_drift(self) -> None:
        text = render_markdown(Plan([TASK_DEF, DRIFTED]))

        [marked] = [line for line in text.splitlines() if "**drift**" in line]
        assert "Role/orders-reader" in marked

    def test_a_long_change_folds_into_details(self) -> None:
        many = tuple(FieldChange(f"tags.t{i}", None, str(i)) for i in range(OPEN_FIELDS + 1))
        long = Change("Role/wide", "iam:role", "ecs-oauth-wide", "create", many)

        text = render_markdown(Plan([long, TASK_DEF]))

        assert text.count("<details>") == 1
        assert "- `~` **Service/orders-api**" in text  # a short one stays open
        assert f"({OPEN_FIELDS + 1} fields)</summary>" in text

    def test_a_long_value_is_cut_and_a_pipe_cannot_break_the_table(self) -> None:
        value = "a|b" + "x" * CELL_LIMIT
        change = Change(
            "Service/s", "ecs:service", "s", "update", (FieldChange("f", "old", value),)
        )

        [row] = [line for line in render_markdown(Plan([change])).splitlines() if "`f`" in line]

        assert "a\\|b" in row
        assert row.endswith("…` |")
        assert len(row) < 2 * CELL_LIMIT


class TestSecretsNeverShow:
    def test_a_sensitive_field_shows_as_sensitive_on_both_sides(self) -> None:
        text = render_markdown(Plan([SENSITIVE_UPDATE]))

        assert "hunter2" not in text
        assert f"| `value.client_secret` | _{SENSITIVE}_ | _{SENSITIVE}_ |" in text

    def test_a_structure_holding_a_secret_is_withheld_whole(self) -> None:
        nested = {"client_id": "abc", "client_secret": Sensitive("hunter2")}
        change = Change(
            "Service/s",
            "secretsmanager:secret",
            "x",
            "create",
            (FieldChange("value", None, nested),),
        )

        text = render_markdown(Plan([change]))

        assert "hunter2" not in text
        assert f"| `value` | _(none)_ | _{SENSITIVE}_ |" in text


class TestFindingsAndProblemsStandApart:
    def test_detect_mode_findings_and_orphans_have_their_own_sections(self) -> None:
        text = render_markdown(Plan([TASK_DEF, DETECTED, ORPHAN]))

        applied = section(text, "#### Changes apply will make")
        assert "Service/stock-sync" not in applied
        assert "Service/retired" not in applied
        assert "would" in section(text, "#### Found in detect mode")
        assert "Service/retired" in section(text, "#### Orphaned")

    def test_a_problem_names_the_file_and_line_its_object_is_declared_at(self) -> None:
        text = render_markdown(Plan([], [BLOCKED]), places=PLACES)

        [line] = [line for line in text.splitlines() if "EcsServiceMissing" in line]
        assert line.startswith("- ❗ `examples/payments/checkout.yaml:12`: **Service/checkout**")
        assert line.endswith("EcsServiceMissing: not found")

    def test_a_problem_of_an_undeclared_object_is_listed_without_a_place(self) -> None:
        text = render_markdown(Plan([], [BLOCKED]))

        assert "- ❗ **Service/checkout**: `ecs:service` `prod/checkout`" in text
