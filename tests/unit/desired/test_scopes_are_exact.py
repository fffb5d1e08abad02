"""Scopes are exact strings: no wildcards, and Cognito scopes live on their resource server."""

from __future__ import annotations

from pathlib import Path

from .helpers import loads, the_error

WILDCARD = "holds a wildcard; grant exact scopes (least privilege)"


def test_a_wildcard_in_a_scope_value_is_an_error_at_the_value(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.all}
        spec:
          provider: partners
          value: "stock:*"
        """,
    )
    assert error.where == "test.yaml:6:10"
    assert error.message == f"spec.value: 'stock:*' {WILDCARD}"


def test_a_wildcard_in_a_role_scope_reference_is_an_error_at_that_item(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: everything}
        spec:
          scopes: [orders.read, "orders.*"]
        """,
    )
    assert error.where == "test.yaml:5:25"
    assert error.message == f"spec.scopes.1: 'orders.*' {WILDCARD}"


def test_a_wildcard_in_a_block_list_of_role_scopes_is_reported_on_its_own_line(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: everything}
        spec:
          scopes:
            - orders.read
            - "*"
        """,
    )
    assert error.where == "test.yaml:7:7"
    assert error.message == f"spec.scopes.1: '*' {WILDCARD}"


def test_a_wildcard_in_a_scope_name_is_an_error_at_the_name(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: "stock.*"}
        spec: {provider: partners}
        """,
    )
    assert error.where == "test.yaml:3:18"
    assert error.message == f"metadata.name: 'stock.*' {WILDCARD}"


def test_a_scope_value_with_a_space_is_not_a_scope_token(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.write}
        spec: {provider: partners, value: stock write}
        """,
    )
    assert error.where == "test.yaml:4:35"
    assert "'stock write' is not a scope token" in error.message


def test_a_cognito_scope_value_outside_its_resource_server_is_an_error_at_the_value(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: orders.cancel}
        spec:
          provider: corp
          resourceServer: orders
          value: payments/cancel
        """,
    )
    assert error.where == "test.yaml:7:10"
    assert error.message == "Cognito scope value must start with its resourceServer 'orders/'"


def test_a_cognito_scope_value_equal_to_its_resource_server_lacks_the_slash(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: orders.cancel}
        spec: {provider: corp, resourceServer: orders, value: orders}
        """,
    )
    assert error.where == "test.yaml:4:55"
    assert "must start with its resourceServer 'orders/'" in error.message


def test_a_cognito_scope_without_a_resource_server_is_an_error_at_its_spec(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: orders.cancel}
        spec:
          provider: corp
          value: orders/cancel
        """,
    )
    assert error.where == "test.yaml:5:3"
    assert error.message == (
        "Cognito provider 'corp' needs spec.resourceServer: "
        "the resource server that defines this scope"
    )


def test_a_resource_server_on_an_oidc_scope_is_an_error_at_the_resource_server(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.write}
        spec:
          provider: partners
          resourceServer: stock
        """,
    )
    assert error.where == "test.yaml:6:19"
    assert error.message == "resourceServer applies to Cognito providers only"


def test_a_cognito_scope_value_defaults_to_resource_server_slash_name(tmp_path: Path) -> None:
    state = loads(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: cancel}
        spec: {provider: corp, resourceServer: orders}
        """,
    )
    assert state.scope_value("cancel") == "orders/cancel"


def test_an_oidc_scope_value_defaults_to_its_name(tmp_path: Path) -> None:
    state = loads(tmp_path, "")
    assert state.scope_value("stock.read") == "stock.read"


def test_a_scope_value_ending_in_a_newline_is_refused(tmp_path: Path) -> None:
    """A regex ``$`` matches before a final newline: the check must take the whole value."""
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.read}
        spec:
          provider: partners
          value: "stock:read\\n"
        """,
    )
    assert error.where == "test.yaml:6:10"
    assert error.message == (
        "spec.value: 'stock:read\\n' is not a scope token: "
        "printable ASCII, no spaces, quotes or backslashes"
    )


def test_a_scope_value_with_a_control_character_is_refused(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.read}
        spec:
          provider: partners
          value: "stock:\\x07read"
        """,
    )
    assert error.where == "test.yaml:6:10"
    assert "is not a scope token" in error.message


def scopes_on(server: str, count: int) -> str:
    return "---\n".join(
        "apiVersion: ecs-oauth.dev/v1alpha1\nkind: Scope\n"
        f"metadata: {{name: {server}.s{n:03d}}}\n"
        f"spec: {{provider: corp, resourceServer: {server}}}\n"
        for n in range(count)
    )


def test_the_scope_past_cognito_s_hundred_per_resource_server_is_an_error_reported_once(
    tmp_path: Path,
) -> None:
    # BASE already declares two scopes on "orders": 98 more reach the limit.
    error = the_error(tmp_path, scopes_on("orders", 100))
    assert error.where == f"test.yaml:{5 * 98 + 4}:40"  # the 101st: the 99th of this file
    assert error.message == (
        "resource server 'orders' of Cognito provider 'corp' would hold more than 100 "
        "scopes, Cognito's limit: declare this one and those after it on another "
        "resourceServer"
    )


def test_a_hundred_scopes_on_each_of_two_resource_servers_are_valid(tmp_path: Path) -> None:
    state = loads(tmp_path, scopes_on("orders", 98) + "---\n" + scopes_on("billing", 100))
    assert len(state.scopes) == 3 + 98 + 100
