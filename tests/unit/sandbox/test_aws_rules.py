"""The pure parts of the strict sandbox's rules and of its settings."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.wrappers import Response

from controller.sandbox._aws_rule_kinds import EarlierStates, Windows
from controller.sandbox._aws_rules import catalogue, secrets_need_execution_role
from controller.sandbox._aws_rules_iam import without_roles
from controller.sandbox._aws_strict import Settings
from controller.sandbox._aws_wire import AwsCall, service_model

NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"


def register(**params: Any) -> AwsCall:
    operation = service_model("ecs").operation_model("RegisterTaskDefinition")
    return AwsCall("ecs", operation, params, "us-east-1", "testing")


def gaad(*roles: str) -> bytes:
    members = "".join(f"<member><RoleName>{role}</RoleName></member>" for role in roles)
    return (
        f'<GetAccountAuthorizationDetailsResponse xmlns="{NAMESPACE}">'
        "<GetAccountAuthorizationDetailsResult>"
        f"<RoleDetailList>{members}</RoleDetailList><IsTruncated>false</IsTruncated>"
        "</GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>"
    ).encode()


class TestTheCatalogue:
    def test_every_rule_names_the_aws_sentence_it_enforces_and_its_source(self) -> None:
        for rule in catalogue():
            assert rule.documented.endswith(".")
            assert rule.source
            assert rule.check or rule.rewrite

    def test_rule_names_are_unique(self) -> None:
        names = [rule.name for rule in catalogue()]

        assert len(names) == len(set(names))


class TestContainerSecrets:
    def test_secrets_without_an_execution_role_are_a_client_error(self) -> None:
        call = register(containerDefinitions=[{"name": "app", "secrets": [{"name": "S"}]}])

        rejection = secrets_need_execution_role(call, Windows())

        assert rejection is not None
        assert rejection.code == "ClientException"
        assert "must also specify a value for 'executionRoleArn'" in rejection.message

    def test_secrets_with_an_execution_role_are_accepted(self) -> None:
        call = register(
            executionRoleArn="arn:aws:iam::123456789012:role/exec",
            containerDefinitions=[{"name": "app", "secrets": [{"name": "S"}]}],
        )

        assert secrets_need_execution_role(call, Windows()) is None

    def test_containers_without_secrets_need_no_execution_role(self) -> None:
        call = register(containerDefinitions=[{"name": "app", "secrets": []}])

        assert secrets_need_execution_role(call, Windows()) is None


class TestRoleListing:
    def test_fresh_roles_are_left_out_of_the_account_details(self) -> None:
        body = without_roles(gaad("old", "fresh"), {"fresh"})

        assert b"<RoleName>old</RoleName>" in body
        assert b"fresh" not in body

    def test_an_answer_without_fresh_roles_is_passed_on_unchanged(self) -> None:
        body = gaad("old")

        assert without_roles(body, {"fresh"}) is body


class TestSettings:
    def defaults(self) -> Settings:
        return Settings(rules={rule.name: True for rule in catalogue()})

    def test_a_partial_document_changes_only_what_it_names(self) -> None:
        changed = self.defaults().updated(
            {"rules": {"secrets-list-lag": False}, "iamVisibilitySeconds": 0}
        )

        document = changed.document()
        assert document["shapes"] is True
        assert document["rules"]["secrets-list-lag"] is False
        assert document["rules"]["iam-role-visibility"] is True
        assert (document["listSecretsLagSeconds"], document["iamVisibilitySeconds"]) == (2.0, 0.0)

    @pytest.mark.parametrize(
        "document",
        [
            [],
            {"colour": 1},
            {"shapes": "yes"},
            {"rules": {"no-such-rule": True}},
            {"rules": {"secrets-list-lag": 1}},
            {"listSecretsLagSeconds": -1},
            {"iamVisibilitySeconds": True},
        ],
    )
    def test_a_document_that_is_not_valid_is_refused(self, document: Any) -> None:
        with pytest.raises(ValueError, match=r"."):
            self.defaults().updated(document)


class TestEarlierStates:
    def test_a_copy_left_by_a_refused_write_is_never_taken_by_a_later_call(self) -> None:
        """A later rule refused the write, so it was never answered; a later call that
        CPython happens to give the same ``id`` must not record that copy as its write."""
        states = EarlierStates()
        refused = register(family="refused")
        states.copy(refused, "refused-family", None)
        old_id = id(refused)
        del refused
        for attempt in range(1000):
            later = register(family=f"later-{attempt}")
            states.answered(later, Response(status=200), window=60)
            if id(later) == old_id:
                break

        assert states.since(0) == {}
