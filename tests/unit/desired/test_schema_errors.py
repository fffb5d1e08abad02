"""One document of the wrong shape: each error points at the node at fault and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.desired import load

from .helpers import BASE, loads, the_error, write


def test_the_base_world_the_other_tests_build_on_is_valid(tmp_path: Path) -> None:
    state = load(write(tmp_path, "base.yaml", BASE))
    assert state.summary() == "7 objects valid: 2 IdentityProvider, 3 Scope, 1 Role, 1 Service"


# Unknown fields


def test_an_unknown_field_is_reported_at_its_key_with_a_did_you_mean_hint(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: writer}
        spec:
          scopes: [orders.write]
          tokenLifetme: 15m
        """,
    )
    assert error.where == "test.yaml:6:3"
    assert error.message == "unknown field 'tokenLifetme'; did you mean 'tokenLifetime'?"


def test_a_field_of_another_kind_is_not_suggested_as_its_own_spelling(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: orders.read}
        spec:
          provider: corp
          tokenLifetime: 15m
        """,
    )
    assert error.where == "test.yaml:6:3"
    assert error.message == (
        "unknown field 'tokenLifetime'; that field belongs elsewhere (see the kind's schema in "
        "crds/)"
    )


def test_an_unknown_field_deep_in_a_flow_mapping_is_reported_at_its_key(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: billing}
        spec:
          role: orders-reader
          cluster: prod
          taskDefinition: {family: billing, container: app, contianer: app}
        """,
    )
    assert error.where == "test.yaml:7:53"
    assert error.message == "unknown field 'contianer'; did you mean 'container'?"


def test_an_unknown_field_with_no_close_match_gets_no_hint(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.write}
        spec:
          provider: partners
          zzqx: 1
        """,
    )
    assert error.where == "test.yaml:6:3"
    assert error.message == "unknown field 'zzqx'"


def test_an_unknown_metadata_field_is_an_error_too(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.write, namespace: default}
        spec: {provider: partners}
        """,
    )
    assert error.where == "test.yaml:3:31"
    assert error.message.startswith("unknown field 'namespace'")


# Wrong types and missing fields


def test_a_string_where_a_list_belongs_is_a_wrong_type_at_the_value(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: writer}
        spec:
          scopes: orders.write
        """,
    )
    assert error.where == "test.yaml:5:11"
    assert error.message == "spec.scopes: Input should be a valid list, got 'orders.write'"


def test_a_number_where_a_string_belongs_is_a_wrong_type_at_the_value(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: billing}
        spec:
          role: orders-reader
          cluster: 42
          taskDefinition: {family: billing, container: app}
        """,
    )
    assert error.where == "test.yaml:6:12"
    assert error.message == "spec.cluster: Input should be a valid string, got 42"


@pytest.mark.parametrize(
    ("field", "column", "message"),
    [
        ('adopt: "no"', 10, "spec.adopt: Input should be a valid boolean, got 'no'"),
        ("mode: fix", 9, "spec.mode: Input should be 'enforce' or 'detect'"),
        ("secret: 30d", 11, "spec.secret: expected a mapping of rotateEvery, gracePeriod"),
        ("service: [orders-api]", 12, "spec.service: Input should be a valid string"),
    ],
)
def test_a_value_of_the_wrong_type_is_reported_at_the_value(
    tmp_path: Path, field: str, column: int, message: str
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: billing}
        spec:
          role: orders-reader
          cluster: prod
          taskDefinition: {family: billing, container: app}
          FIELD
        """.replace("FIELD", field),
    )
    assert error.where == f"test.yaml:8:{column}"
    assert error.message.startswith(message)


def test_a_missing_required_field_is_reported_at_the_mapping_that_lacks_it(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: billing}
        spec:
          role: orders-reader
          taskDefinition: {family: billing, container: app}
        """,
    )
    assert error.where == "test.yaml:5:3"
    assert error.message == "missing required field 'spec.cluster'"


# apiVersion and kind


def test_an_unknown_api_version_is_reported_at_its_value(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1beta1
        kind: Role
        metadata: {name: writer}
        spec: {scopes: [orders.write]}
        """,
    )
    assert error.where == "test.yaml:1:13"
    assert error.message == (
        "unknown apiVersion 'ecs-oauth.dev/v1beta1'; expected 'ecs-oauth.dev/v1alpha1'"
    )


def test_a_document_without_api_version_is_reported_at_its_start(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        # a Role, but someone forgot the header
        kind: Role
        metadata: {name: writer}
        spec: {scopes: [orders.write]}
        """,
    )
    assert error.where == "test.yaml:2:1"
    assert error.message.startswith("unknown apiVersion none")


def test_an_unknown_kind_is_reported_at_its_value_with_the_kinds_there_are(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: ServiceAccount
        metadata: {name: writer}
        spec: {}
        """,
    )
    assert error.where == "test.yaml:2:7"
    assert error.message == (
        "unknown kind 'ServiceAccount'; expected one of IdentityProvider, Scope, Role, Service"
    )


def test_a_kind_in_the_wrong_case_is_an_unknown_kind(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: role
        metadata: {name: writer}
        spec: {scopes: [orders.write]}
        """,
    )
    assert error.where == "test.yaml:2:7"
    assert error.message.startswith("unknown kind 'role'")


# Names


def test_a_name_that_is_not_a_dns_label_is_reported_at_the_name(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata:
          name: Orders_Writer
        spec: {scopes: [orders.write]}
        """,
    )
    assert error.where == "test.yaml:4:9"
    assert error.message.startswith("metadata.name: 'Orders_Writer' must be a DNS-1123 label")


def test_a_role_name_too_long_for_an_iam_role_name_is_an_error(tmp_path: Path) -> None:
    # "ecs-oauth-<role>" must fit IAM's 64 characters for a role name: at most 54 for the role.
    name = "w" * 55
    error = the_error(
        tmp_path,
        f"""
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {{name: {name}}}
        spec: {{scopes: [orders.write]}}
        """,
    )
    assert error.where == "test.yaml:3:18"
    assert error.message == "metadata.name: String should have at most 54 characters"


def test_a_role_name_of_54_characters_still_fits(tmp_path: Path) -> None:
    state = loads(
        tmp_path,
        f"""
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {{name: {"w" * 54}}}
        spec: {{scopes: [orders.write]}}
        """,
    )
    assert "w" * 54 in state.roles


def test_a_service_name_too_long_for_its_execution_role_name_is_an_error(
    tmp_path: Path,
) -> None:
    # "ecs-oauth-<service>-exec" must fit IAM's 64 characters: at most 49 for the service.
    name = "b" * 50
    error = the_error(
        tmp_path,
        f"""
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {{name: {name}}}
        spec:
          role: orders-reader
          cluster: prod
          taskDefinition: {{family: billing, container: app}}
        """,
    )
    assert error.where == "test.yaml:3:18"
    assert error.message == "metadata.name: String should have at most 49 characters"


def test_a_service_name_of_49_characters_still_fits(tmp_path: Path) -> None:
    state = loads(
        tmp_path,
        f"""
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {{name: {"b" * 49}}}
        spec:
          role: orders-reader
          cluster: prod
          taskDefinition: {{family: billing, container: app}}
        """,
    )
    assert "b" * 49 in state.services


# Exactly one of


def test_a_provider_with_both_cognito_and_oidc_is_an_error_at_its_spec(tmp_path: Path) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: IdentityProvider
        metadata: {name: both}
        spec:
          cognito: {userPoolId: us-east-1_Ab, tokenEndpoint: https://auth.example.com/token}
          oidc: {issuer: https://idp.example.com, initialAccessToken: {fromEnv: TOKEN}}
        """,
    )
    assert error.where == "test.yaml:5:3"
    assert error.message == "spec: give exactly one of cognito, oidc or okta"


def test_a_provider_with_neither_cognito_nor_oidc_is_an_error_at_its_spec(
    tmp_path: Path,
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: IdentityProvider
        metadata: {name: neither}
        spec: {}
        """,
    )
    assert error.where == "test.yaml:4:7"
    assert error.message == "spec: give exactly one of cognito, oidc or okta"


@pytest.mark.parametrize(
    "token",
    [
        "{}",
        "{fromEnv: TOKEN, fromSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t'}",
    ],
    ids=["neither", "both"],
)
def test_an_initial_access_token_needs_exactly_one_of_from_env_or_from_secret_arn(
    tmp_path: Path, token: str
) -> None:
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: IdentityProvider
        metadata: {name: okta}
        spec:
          oidc:
            issuer: https://okta.example.com
            initialAccessToken: TOKEN
        """.replace("TOKEN", token, 1),
    )
    assert error.where == "test.yaml:7:25"
    assert error.message == (
        "spec.oidc.initialAccessToken: give exactly one of fromEnv or fromSecretArn"
    )


def test_an_initial_access_token_from_a_secret_arn_is_accepted(tmp_path: Path) -> None:
    state = loads(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: IdentityProvider
        metadata: {name: okta}
        spec:
          oidc:
            issuer: https://okta.example.com
            initialAccessToken:
              fromSecretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:okta-dcr
        """,
    )
    assert state.providers["okta"].spec.oidc is not None


def test_a_field_spelled_in_snake_case_is_an_unknown_field(tmp_path: Path) -> None:
    # The CRDs know only tokenLifetime; Kubernetes would silently prune token_lifetime.
    error = the_error(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: writer}
        spec:
          scopes: [orders.write]
          token_lifetime: 15m
        """,
    )
    assert error.where == "test.yaml:6:3"
    assert error.message == "unknown field 'token_lifetime'; did you mean 'tokenLifetime'?"
