"""Names that validate as YAML but that AWS would refuse or confuse: reported at the node
to fix, before anything is planned."""

from __future__ import annotations

from pathlib import Path

from .helpers import loads, the_error


def test_a_role_named_like_a_services_execution_role_is_an_error_at_its_name(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata:
          name: orders-api-exec
        spec: {scopes: [orders.write]}
        """,
    )
    assert error.where == "test.yaml:4:9"
    assert error.message == (
        "Role 'orders-api-exec' would be IAM role 'ecs-oauth-orders-api-exec', the name of "
        "the execution role made for Service 'orders-api'; rename the Role"
    )


def test_a_role_ending_in_exec_without_such_a_service_is_valid(tmp_path: Path) -> None:
    state = loads(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: billing-exec}
        spec: {scopes: [orders.write]}
        """,
    )
    assert "billing-exec" in state.roles


def test_a_cognito_scope_name_with_a_slash_is_an_error_at_the_value(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: orders.cancel}
        spec:
          provider: corp
          resourceServer: orders
          value: orders/cancel/all
        """,
    )
    assert error.where == "test.yaml:7:10"
    assert error.message == (
        "Cognito scope name 'cancel/all' (the value after 'orders/') may not contain '/'"
    )


def test_a_defaulted_cognito_scope_value_with_a_slash_is_an_error_at_the_name(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: cancel/all}
        spec: {provider: corp, resourceServer: orders}
        """,
    )
    assert error.where == "test.yaml:3:18"
    assert "may not contain '/'" in error.message


def test_a_url_resource_server_with_a_plain_scope_name_is_valid(tmp_path: Path) -> None:
    state = loads(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: api.read}
        spec:
          provider: corp
          resourceServer: https://api.example.com
          value: https://api.example.com/read
        """,
    )
    assert state.scope_value("api.read") == "https://api.example.com/read"


def test_an_oidc_scope_may_hold_slashes(tmp_path: Path) -> None:
    state = loads(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.all}
        spec: {provider: partners, value: stock/all/read}
        """,
    )
    assert state.scope_value("stock.all") == "stock/all/read"
