"""Rules across objects: each error sits at the reference, the second occurrence, or the later
role, so the line to fix is the line reported."""

from __future__ import annotations

from pathlib import Path

from .helpers import errors_with_base, loads, the_error


def test_a_scope_naming_an_undefined_provider_is_an_error_at_the_reference(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.write}
        spec:
          provider: partner
          description: Reserve stock
        """,
    )
    assert error.where == "test.yaml:5:13"
    assert error.message == "IdentityProvider 'partner' is not defined"


def test_a_role_naming_an_undefined_scope_is_an_error_at_that_list_item(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: writer}
        spec:
          scopes: [orders.read, orders.wirte]
        """,
    )
    assert error.where == "test.yaml:5:25"
    assert error.message == "Scope 'orders.wirte' is not defined"


def test_every_undefined_scope_of_a_role_is_reported(tmp_path: Path) -> None:
    found = errors_with_base(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: writer}
        spec:
          scopes:
            - orders.raed
            - orders.read
            - orders.wirte
        """,
    )
    assert [(e.where, e.message) for e in found] == [
        ("test.yaml:6:7", "Scope 'orders.raed' is not defined"),
        ("test.yaml:8:7", "Scope 'orders.wirte' is not defined"),
    ]


def test_a_service_naming_an_undefined_role_is_an_error_at_the_reference(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: billing}
        spec:
          role: orders-raeder
          cluster: prod
          taskDefinition: {family: billing, container: app}
        """,
    )
    assert error.where == "test.yaml:5:9"
    assert error.message == "Role 'orders-raeder' is not defined"


def test_a_duplicate_kind_and_name_is_reported_at_the_second_occurrence(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata:
          name: orders-reader
        spec: {scopes: [orders.write]}
        """,
    )
    assert error.where == "test.yaml:4:9"
    assert error.message.startswith("duplicate Role/orders-reader; first defined at ")
    assert error.message.endswith("base.yaml:32:18")


def test_a_duplicate_within_one_file_is_reported_at_the_later_document(tmp_path: Path) -> None:
    found = errors_with_base(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.write}
        spec: {provider: partners}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.write}
        spec: {provider: partners}
        """,
    )
    assert len(found) == 1
    assert found[0].where == "test.yaml:8:18"
    assert found[0].message.endswith("test.yaml:3:18")


def test_the_same_name_under_two_kinds_is_not_a_duplicate(tmp_path: Path) -> None:
    state = loads(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-api}
        spec: {scopes: [orders.write]}
        """,
    )
    assert "orders-api" in state.roles
    assert "orders-api" in state.services


def test_a_scope_listed_twice_in_a_role_is_reported_at_the_second_listing(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: writer}
        spec:
          scopes: [orders.write, orders.read, orders.write]
        """,
    )
    assert error.where == "test.yaml:5:39"
    assert error.message == "scope 'orders.write' is listed twice"


def test_a_role_whose_scopes_span_two_providers_is_an_error_at_its_scopes(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: everywhere}
        spec:
          scopes: [orders.write, stock.read]
        """,
    )
    assert error.where == "test.yaml:5:11"
    assert error.message.startswith("scopes span providers corp, partners; ")
    assert "must share one provider" in error.message


def test_two_roles_with_the_same_scope_set_are_an_error_at_the_later_role(tmp_path: Path) -> None:
    found = errors_with_base(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: editor}
        spec:
          scopes: [orders.read, orders.write]
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: clerk}
        spec:
          scopes: [orders.write, orders.read]
        """,
    )
    assert len(found) == 1
    assert found[0].where == "test.yaml:11:11"
    assert found[0].message == (
        "Role 'editor' already has this scope set; roles and scope sets map one to one"
    )


def test_a_role_repeating_a_scope_set_from_an_earlier_file_is_the_one_reported(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: reader-too}
        spec: {scopes: [orders.read]}
        """,
    )
    assert error.where == "test.yaml:4:16"
    assert error.message.startswith("Role 'orders-reader' already has this scope set")


def test_two_roles_whose_scopes_have_the_same_wire_values_share_a_scope_set(
    tmp_path: Path,
) -> None:
    # Two Scope objects for the same string on the same provider: the OAuth clients of the
    # two roles would be granted identical scopes, so the roles are not one to one.
    found = errors_with_base(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: orders.view}
        spec: {provider: corp, resourceServer: orders, value: orders/read}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: viewer}
        spec: {scopes: [orders.view]}
        """,
    )
    assert [e.where for e in found] == ["test.yaml:9:16"]
    assert found[0].message.startswith("Role 'orders-reader' already has this scope set")


def test_the_same_scope_strings_at_two_providers_are_different_scope_sets(
    tmp_path: Path,
) -> None:
    state = loads(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: IdentityProvider
        metadata: {name: keycloak}
        spec:
          oidc: {issuer: https://kc.example.com, initialAccessToken: {fromEnv: KC_TOKEN}}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: kc.stock.read}
        spec: {provider: keycloak, value: stock.read}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: stock-reader}
        spec: {scopes: [stock.read]}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: kc-stock-reader}
        spec: {scopes: [kc.stock.read]}
        """,
    )
    assert state.role_scopes("stock-reader") == state.role_scopes("kc-stock-reader")


def test_a_task_definition_family_managed_by_two_services_is_an_error_at_the_later(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: orders-api-canary}
        spec:
          role: orders-reader
          cluster: canary
          taskDefinition:
            family: orders-api
            container: app
        """,
    )
    assert error.where == "test.yaml:8:13"
    assert error.message == (
        "task definition family 'orders-api' is already managed by Service 'orders-api'"
    )
