"""Validation messages a newcomer can act on: the root cause before its consequences,
plain words instead of the YAML parser's, a hint to pass the folder when a file of a tree
is given alone, and no made-up position."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from controller.desired import DesiredStateError, did_you_mean, load
from controller.desired._yaml_errors import explain

from .helpers import EXAMPLES, errors, errors_with_base, write

# Root causes first


def test_an_invalid_role_is_reported_once_and_the_service_naming_it_points_above(
    tmp_path: Path,
) -> None:
    write(tmp_path, "base.yaml", (EXAMPLES / "platform" / "identity-providers.yaml").read_text())
    write(tmp_path, "a-services.yaml", SERVICE.replace("ROLE", "orders-writer"))
    write(tmp_path, "z-roles.yaml", ROLE.replace("LIFETIME", "2h"))
    write(tmp_path, "scopes.yaml", SCOPE)

    found = errors(tmp_path)

    # The Service's file sorts first; the Role's error still comes first.
    assert [(e.where, e.message) for e in found] == [
        (
            "z-roles.yaml:6:18",
            "spec.tokenLifetime: tokenLifetime is over the 1h maximum; "
            "short-lived means at most 1h",
        ),
        ("a-services.yaml:5:9", "Role 'orders-writer' is invalid (see above)"),
    ]


def test_a_role_naming_an_invalid_scope_points_above_and_is_not_called_undefined(
    tmp_path: Path,
) -> None:
    found = errors_with_base(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: orders.all}
        spec: {provider: corp, resourceServer: orders, value: "orders/*"}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-admin}
        spec: {scopes: [orders.all]}
        """,
    )
    assert [(e.where, e.message) for e in found] == [
        (
            "test.yaml:4:55",
            "spec.value: 'orders/*' holds a wildcard; grant exact scopes (least privilege)",
        ),
        ("test.yaml:9:17", "Scope 'orders.all' is invalid (see above)"),
    ]


def test_a_name_defined_nowhere_is_still_not_defined(tmp_path: Path) -> None:
    (error,) = errors_with_base(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-admin}
        spec: {scopes: [orders.everything]}
        """,
    )
    assert (error.where, error.message) == (
        "test.yaml:4:17",
        "Scope 'orders.everything' is not defined",
    )


SCOPE = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: Scope
metadata: {name: orders.write}
spec: {provider: corp, resourceServer: orders, value: orders/write}
"""
ROLE = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: Role
metadata: {name: orders-writer}
spec:
  scopes: [orders.write]
  tokenLifetime: LIFETIME
"""
SERVICE = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: Service
metadata: {name: orders-api}
spec:
  role: ROLE
  cluster: prod
  taskDefinition: {family: orders-api, container: app}
"""


# Did you mean


def test_did_you_mean_never_suggests_the_word_itself() -> None:
    assert did_you_mean("tokenLifetime", ["tokenLifetime"]) == ""
    assert did_you_mean("tokenLifetme", ["tokenLifetime"]) == "; did you mean 'tokenLifetime'?"


def test_a_field_spelt_with_the_wrong_case_is_suggested_in_the_right_one(
    tmp_path: Path,
) -> None:
    found = errors_with_base(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.write}
        spec: {Provider: partners}
        """,
    )
    assert [(e.where, e.message) for e in found] == [
        ("test.yaml:4:7", "missing required field 'spec.provider'"),
        ("test.yaml:4:8", "unknown field 'Provider'; did you mean 'provider'?"),
    ]


def test_a_mapping_given_a_string_says_which_fields_it_holds(tmp_path: Path) -> None:
    (error,) = errors_with_base(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: billing}
        spec:
          role: orders-reader
          cluster: prod
          taskDefinition: billing
        """,
    )
    assert (error.where, error.message) == (
        "test.yaml:7:19",
        "spec.taskDefinition: expected a mapping of family, container; got 'billing'",
    )


def test_a_credential_written_as_its_value_is_shown_the_reference_form_and_not_echoed(
    tmp_path: Path,
) -> None:
    (error,) = errors_with_base(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: IdentityProvider
        metadata: {name: keycloak}
        spec:
          oidc: {issuer: https://kc.example.com, initialAccessToken: eyJhbGciOiJIUzI1NiJ9x}
        """,
    )
    assert (error.where, error.message) == (
        "test.yaml:5:62",
        "spec.oidc.initialAccessToken: expected a reference such as {fromEnv: NAME} or "
        "{fromSecretArn: arn:aws:secretsmanager:...}, never the value itself",
    )


# YAML syntax in plain words

HEADER = "apiVersion: ecs-oauth.dev/v1alpha1\nkind: Role\nmetadata: {name: r}\n"
INDENTATION = "check the indentation of this line or the one above"


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        (
            "spec:\n\tscopes: [a]\n",
            "broken.yaml:5:1",
            "a tab character here; YAML does not allow tabs for indentation; use spaces",
        ),
        (
            "spec:\n  scopes: [a]\n   tokenLifetime: 5m\n",
            "broken.yaml:6:4",
            f"this line does not line up with the lines above it; {INDENTATION}",
        ),
        (
            "spec:\n  scopes:\n  - a\n - b\n",
            "broken.yaml:7:2",
            f"this line does not line up with the lines above it; {INDENTATION}",
        ),
        (
            "spec:\n  scopes: [a]\n  tokenLifetime: 5m\n    managedPolicyArns: []\n",
            "broken.yaml:7:22",
            f"a ':' where no mapping can start; {INDENTATION}, or quote a value that holds ': '",
        ),
        (
            "spec:\n  scopes: [a]\n  tokenLifetime\n  managedPolicyArns: []\n",
            "broken.yaml:6:3",
            f"this line has no ':' after its key; {INDENTATION}",
        ),
        (
            "spec:\n  scopes: [a\n  tokenLifetime: 5m\n",
            "broken.yaml:6:16",
            "the list opened with '[' at line 5, column 11 is not closed; "
            "close it with ']' and separate its items with ','",
        ),
        (
            "spec: {scopes: ['a]}\n",
            "broken.yaml:4:17",
            "this quoted value is never closed; add the closing quote",
        ),
        (
            "spec: {scopes: [@a]}\n",
            "broken.yaml:4:17",
            "a plain value cannot start with '@'; put the value in quotes",
        ),
    ],
    ids=["tab", "over-indented", "under-indented", "colon", "no-colon", "list", "quote", "at"],
)
def test_a_yaml_syntax_error_is_a_plain_sentence_with_a_hint(
    tmp_path: Path, body: str, where: str, message: str
) -> None:
    (error,) = errors(write(tmp_path, "broken.yaml", HEADER + body))
    assert (error.where, error.message) == (where, f"invalid YAML: {message}")


@pytest.mark.parametrize(
    "text",
    ["a:\n\tb: 1\n", "a:\n  b: 1\n c: 2\n", "a: b\n  c: d\n", "a: [1, 2\nb: 3\n", "- a\nb: c\n"],
    ids=["tab", "under-indented", "colon", "list", "sequence-then-mapping"],
)
def test_libyaml_s_wording_of_an_error_reads_as_pyyaml_s_does(text: str) -> None:
    # A syntax error after many nodes is reported in LibYAML's words: the same table.
    said = []
    for loader in (yaml.SafeLoader, yaml.CSafeLoader):
        with pytest.raises(yaml.MarkedYAMLError) as raised:
            list(yaml.compose_all(text, Loader=loader))
        mark, message = explain(raised.value, text)
        assert mark is not None
        said.append((mark.line, mark.column, message))
    assert said[0] == said[1]


# Which path to pass


def test_one_file_of_a_tree_given_alone_says_to_pass_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)

    with pytest.raises(DesiredStateError) as raised:
        load(Path("examples/payments/workloads.yaml"))

    assert [str(d) for d in raised.value.diagnostics] == [
        "examples/payments/workloads.yaml:8:12: error: Scope 'orders.read' is not defined",
        "examples/payments/workloads.yaml:17:12: error: Scope 'orders.write' is not defined",
        "examples/payments/workloads.yaml:17:26: error: Scope 'payments.capture' is not defined",
        "examples/payments/workloads.yaml: note: the objects this file refers to are defined "
        "in other files; pass their folder instead: -f examples/",
    ]


def test_the_folder_named_is_as_the_file_was_given_absolute_or_not(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    file = tmp_path / "examples" / "payments" / "workloads.yaml"

    with pytest.raises(DesiredStateError) as raised:
        load(file)

    assert str(raised.value.diagnostics[-1]) == (
        f"{file}: note: the objects this file refers to are defined in other files; "
        f"pass their folder instead: -f {tmp_path / 'examples'}/"
    )


def test_a_file_whose_references_are_defined_nowhere_beside_it_gets_no_such_hint(
    tmp_path: Path,
) -> None:
    # Its own folder defines nothing it names: folders further up are not searched.
    write(tmp_path, "team/services.yaml", SERVICE.replace("ROLE", "orders-writer"))
    write(tmp_path, "elsewhere/roles.yaml", ROLE.replace("LIFETIME", "15m"))

    found = errors(tmp_path / "team" / "services.yaml")

    assert [(e.where, e.message) for e in found] == [
        ("services.yaml:5:9", "Role 'orders-writer' is not defined")
    ]


def test_a_missing_path_is_named_without_a_made_up_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(DesiredStateError) as raised:
        load(tmp_path / "nowhere")
    assert [str(d) for d in raised.value.diagnostics] == [
        f"{tmp_path / 'nowhere'}: error: no such file or folder"
    ]
    assert raised.value.diagnostics[0].as_json() == {
        "file": str(tmp_path / "nowhere"),
        "severity": "error",
        "message": "no such file or folder",
    }
