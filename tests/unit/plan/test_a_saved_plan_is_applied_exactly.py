"""What ``apply FILE`` checks of a saved plan, as pure rules: which writes the plan holds,
which difference in inputs or reads refuses it (and how it is named), which files it
reads at all."""

from __future__ import annotations

import json
from typing import Any

import pytest

from controller.plan import (
    FORMAT_VERSION,
    KNOWN_AFTER_APPLY,
    SENSITIVE,
    Change,
    Context,
    FieldChange,
    Fingerprint,
    Inputs,
    Plan,
    SavedPlanError,
    allows,
    in_memory,
    load_saved,
    plan_changed,
    plan_document,
    saved_document,
)

CONTEXT = Context("123456789012", "us-east-1", "platform-prod", "examples/")
INPUTS = Inputs("/srv/desired", values=("/srv/values.yaml",), assignments=("concurrency=4",))
TASK_DEF = Change(
    "Service/orders-api",
    "ecs:task-definition",
    "orders-api",
    "update",
    (
        FieldChange("taskRoleArn", "arn:aws:iam::1:role/old", KNOWN_AFTER_APPLY),
        FieldChange("containers.app.environment.OAUTH_SCOPE", "a", "a b"),
    ),
)
CLIENT = Change(
    "Service/orders-api",
    "idp:client",
    "ecs-oauth-orders-api",
    "create",
    (FieldChange("name", None, "ecs-oauth-orders-api"),),
)


def planned(*changes: Change) -> list[dict[str, Any]]:
    changes_json: list[dict[str, Any]] = plan_document(Plan(list(changes)))["changes"]
    return json.loads(json.dumps(changes_json))


def with_diff(change: Change, *diff: FieldChange, **more: Any) -> Change:
    return Change(change.object, change.resource, more.get("id", change.id), change.action, diff)


class TestWhatThePlanAllows:
    def test_the_planned_change_with_the_id_apply_learned_is_allowed(self) -> None:
        made = with_diff(
            TASK_DEF,
            FieldChange("taskRoleArn", "arn:aws:iam::1:role/old", "arn:aws:iam::1:role/ours"),
            FieldChange("containers.app.environment.OAUTH_SCOPE", "a", "a b"),
        )

        assert allows(planned(TASK_DEF), made)

    def test_a_value_other_than_the_planned_one_is_refused(self) -> None:
        made = with_diff(TASK_DEF, FieldChange("containers.app.environment.OAUTH_SCOPE", "a", "c"))

        assert not allows(planned(TASK_DEF), made)

    def test_a_field_the_plan_does_not_write_is_refused(self) -> None:
        made = with_diff(TASK_DEF, FieldChange("executionRoleArn", "x", "y"))

        assert not allows(planned(TASK_DEF), made)

    def test_writing_fewer_fields_than_planned_is_allowed(self) -> None:
        made = with_diff(
            TASK_DEF, FieldChange("containers.app.environment.OAUTH_SCOPE", "a", "a b")
        )

        assert allows(planned(TASK_DEF), made)

    def test_another_resource_or_action_is_refused(self) -> None:
        made = Change("Service/orders-api", "ecs:service", "prod/orders-api", "update")

        assert not allows(planned(TASK_DEF), made)

    def test_another_id_is_refused_except_for_a_client_the_idp_names(self) -> None:
        renamed = with_diff(TASK_DEF, *TASK_DEF.diff, id="someone-elses")
        found = with_diff(CLIENT, *CLIENT.diff, id="7f3c2a")

        assert not allows(planned(TASK_DEF), renamed)
        assert allows(planned(CLIENT), found)

    def test_a_withheld_finding_allows_no_write(self) -> None:
        detected = Change(
            TASK_DEF.object,
            TASK_DEF.resource,
            TASK_DEF.id,
            "update",
            TASK_DEF.diff,
            withheld="detect",
        )

        assert not allows(planned(detected), with_diff(TASK_DEF, *TASK_DEF.diff))

    def test_a_secret_matches_a_secret(self) -> None:
        secret = Change(
            "Service/a",
            "secretsmanager:secret",
            "ecs-oauth/a",
            "update",
            (FieldChange("value.client_secret", SENSITIVE, SENSITIVE),),
        )

        assert allows(planned(secret), secret)


class TestWhatRefusesIt:
    SAVED = Fingerprint(
        "s1",
        {"Role/a": "d1", "Service/b": "d2"},
        {"Service/b": {"ecs:task-definition latest b": "r1", "ecs:service prod/b": "r2"}},
    )

    def test_the_same_fingerprint_refuses_nothing(self) -> None:
        assert self.SAVED.inputs_changed(self.SAVED) is None
        assert self.SAVED.world_changed(self.SAVED) is None

    def test_changed_settings_are_named(self) -> None:
        now = Fingerprint("s2", self.SAVED.desired, self.SAVED.reads)

        assert self.SAVED.inputs_changed(now) == "the settings changed (values files or --set)"

    def test_an_edited_object_is_named(self) -> None:
        now = Fingerprint("s1", {"Role/a": "d1", "Service/b": "d9"}, {})

        assert self.SAVED.inputs_changed(now) == "the desired state changed: Service/b was edited"

    def test_an_object_added_or_removed_is_named(self) -> None:
        added = Fingerprint("s1", {**self.SAVED.desired, "Service/c": "d3"}, {})
        removed = Fingerprint("s1", {"Role/a": "d1"}, {})

        assert self.SAVED.inputs_changed(added) == "the desired state changed: Service/c is new"
        assert "Service/b is no longer declared" in str(self.SAVED.inputs_changed(removed))

    def test_a_changed_read_is_named_by_object_and_label(self) -> None:
        reads = {"Service/b": {"ecs:task-definition latest b": "r9", "ecs:service prod/b": "r2"}}

        assert self.SAVED.world_changed(Fingerprint("s1", {}, reads)) == (
            "the live state changed: Service/b: ecs:task-definition latest b"
        )

    def test_a_read_made_only_now_is_a_change_too(self) -> None:
        reads = {**self.SAVED.reads, "Role/a": {"iam:role ecs-oauth-a": "r3"}}

        assert self.SAVED.world_changed(Fingerprint("s1", {}, reads)) == (
            "the live state changed: Role/a: iam:role ecs-oauth-a"
        )

    def test_a_plan_computed_now_that_differs_is_named(self) -> None:
        saved = in_memory(Plan([TASK_DEF]), CONTEXT, INPUTS, self.SAVED)

        assert plan_changed(saved, Plan([TASK_DEF])) is None
        assert plan_changed(saved, Plan([TASK_DEF, CLIENT])) == (
            "Service/orders-api: idp:client ecs-oauth-orders-api (create) "
            "is now planned and was not"
        )
        assert plan_changed(saved, Plan()) == (
            "Service/orders-api: ecs:task-definition orders-api (update) "
            "was planned and no longer is"
        )


class TestTheFile:
    def document(self) -> dict[str, Any]:
        fingerprint = Fingerprint("s1", {"Role/a": "d1"}, {"Role/a": {"iam:role x": "r1"}})
        return json.loads(
            json.dumps(saved_document(Plan([TASK_DEF]), CONTEXT, INPUTS, fingerprint))
        )

    def test_it_is_the_json_plan_plus_inputs_and_fingerprint(self) -> None:
        document = self.document()

        assert set(document) == {
            "format_version",
            "context",
            "changes",
            "summary",
            "problems",
            "kind",
            "inputs",
            "fingerprint",
        }
        assert document["inputs"]["set"] == ["concurrency=4"]

    def test_it_reads_back_as_it_was_written(self) -> None:
        saved = load_saved(self.document(), "p")

        assert (saved.context, saved.inputs) == (CONTEXT, INPUTS)
        assert saved.fingerprint.reads == {"Role/a": {"iam:role x": "r1"}}
        assert [c["id"] for c in saved.applicable] == ["orders-api"]

    def test_a_file_that_is_no_plan_is_refused(self) -> None:
        with pytest.raises(SavedPlanError, match="not a plan saved by ecs-oauth plan -out"):
            load_saved({"changes": []}, "p")

    def test_another_format_version_is_refused_with_what_to_do(self) -> None:
        document = {**self.document(), "format_version": "0.9"}

        with pytest.raises(
            SavedPlanError,
            match=f"plan format 0.9, this ecs-oauth reads {FORMAT_VERSION}: run plan -out again",
        ):
            load_saved(document, "p")

    def test_a_damaged_file_is_refused(self) -> None:
        document = self.document()
        del document["fingerprint"]["reads"]

        with pytest.raises(SavedPlanError, match="p is damaged"):
            load_saved(document, "p")
