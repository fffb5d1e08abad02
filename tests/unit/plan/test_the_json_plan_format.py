"""The JSON plan: versioned, with its context, problems always present, withheld changes
flagged, and booleans where the text plan prints markers."""

from __future__ import annotations

import json

from controller.plan import (
    FORMAT_VERSION,
    KNOWN_AFTER_APPLY,
    SENSITIVE,
    Change,
    Context,
    FieldChange,
    Plan,
    Problem,
    Sensitive,
    plan_document,
    render_json,
)

CONTEXT = Context("123456789012", "eu-west-1", "platform-prod", "desired/")


def only_change(plan: Plan) -> dict[str, object]:
    [change] = plan_document(plan)["changes"]
    assert isinstance(change, dict)
    return change


class TestDocument:
    def test_it_carries_its_format_version_and_context(self) -> None:
        document = json.loads(render_json(Plan(), CONTEXT))

        assert document["format_version"] == FORMAT_VERSION
        assert document["context"] == {
            "account": "123456789012",
            "region": "eu-west-1",
            "controllerId": "platform-prod",
            "desired": "desired/",
        }

    def test_problems_are_always_present(self) -> None:
        assert plan_document(Plan())["problems"] == []

    def test_problems_keep_every_field(self) -> None:
        problem = Problem("Service/a", "ecs:service", "prod/a", "EcsServiceMissing", "gone")

        assert plan_document(Plan(problems=[problem]))["problems"] == [
            {
                "object": "Service/a",
                "resource": "ecs:service",
                "id": "prod/a",
                "reason": "EcsServiceMissing",
                "message": "gone",
            }
        ]

    def test_the_summary_counts_applicable_changes_and_the_rest_apart(self) -> None:
        plan = Plan(
            changes=[
                Change("Role/a", "iam:role", "ecs-oauth-a", "create"),
                Change("Service/b", "ecs:task-definition", "b", "update", withheld="detect"),
                Change("Service/c", "iam:role", "ecs-oauth-c-exec", "delete", withheld="prune"),
            ],
            problems=[Problem("Service/d", "-", "d", "AwsError", "x")],
        )

        assert plan_document(plan)["summary"] == {
            "create": 1,
            "update": 0,
            "delete": 0,
            "adopt": 0,
            "detect": 1,
            "orphaned": 1,
            "problems": 1,
        }


class TestChanges:
    def test_a_change_apply_makes_is_applied_with_no_reason(self) -> None:
        change = only_change(Plan([Change("Role/a", "iam:role", "ecs-oauth-a", "create")]))

        assert (change["applied"], change["reason"], change["drift"]) == (True, None, False)

    def test_a_detect_mode_finding_is_flagged_not_applied(self) -> None:
        found = Change(
            "Service/b", "ecs:task-definition", "b", "update", drift=True, withheld="detect"
        )

        change = only_change(Plan([found]))

        assert (change["applied"], change["reason"], change["drift"]) == (False, "detect", True)

    def test_an_orphan_without_prune_is_flagged_not_applied(self) -> None:
        found = Change("Service/c", "iam:role", "ecs-oauth-c-exec", "delete", withheld="prune")

        assert only_change(Plan([found]))["reason"] == "prune"


class TestValues:
    def field(self, before: object, after: object) -> dict[str, object]:
        change = Change(
            "Service/a",
            "secretsmanager:secret",
            "ecs-oauth/a",
            "update",
            (FieldChange("value.x", before, after),),
        )
        [field] = only_change(Plan([change]))["diff"]  # type: ignore[misc]
        assert isinstance(field, dict)
        return field

    def test_a_value_known_only_after_apply_is_null_and_flagged(self) -> None:
        field = self.field(None, KNOWN_AFTER_APPLY)

        assert (field["after"], field["after_unknown"], field["after_sensitive"]) == (
            None,
            True,
            False,
        )

    def test_a_secret_is_null_and_flagged_on_both_sides(self) -> None:
        field = self.field(SENSITIVE, Sensitive("n3w-s3cr3t"))

        assert (field["before"], field["before_sensitive"]) == (None, True)
        assert (field["after"], field["after_sensitive"], field["after_unknown"]) == (
            None,
            True,
            False,
        )

    def test_a_secret_value_never_reaches_the_document(self) -> None:
        diff = (FieldChange("value.client_secret", SENSITIVE, Sensitive("n3w-s3cr3t")),)
        change = Change("Service/a", "secretsmanager:secret", "ecs-oauth/a", "update", diff)

        assert "s3cr3t" not in render_json(Plan([change]), CONTEXT)

    def test_a_plain_value_is_itself_with_every_flag_false(self) -> None:
        field = self.field("orders/read", "orders/read orders/write")

        assert field == {
            "path": "value.x",
            "before": "orders/read",
            "after": "orders/read orders/write",
            "after_unknown": False,
            "after_sensitive": False,
            "before_sensitive": False,
        }

    def test_a_marker_inside_a_document_is_nulled_and_flagged(self) -> None:
        policy = {"Statement": [{"Resource": KNOWN_AFTER_APPLY, "Effect": "Allow"}]}

        field = self.field(None, policy)

        assert field["after"] == {"Statement": [{"Resource": None, "Effect": "Allow"}]}
        assert field["after_unknown"] is True
        assert "(known after apply)" not in json.dumps(field)
