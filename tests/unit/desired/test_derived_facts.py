"""Facts later layers read off a valid state: wire scopes, a role's scopes and provider,
the summary, and the generation that changes exactly when a spec does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from controller.desired import DesiredState, generation, inputs_generation, load

from .helpers import BASE, EXAMPLES, loads, write


@pytest.fixture(scope="module")
def examples() -> DesiredState:
    return load(EXAMPLES)


def test_a_scope_value_is_its_explicit_value(examples: DesiredState) -> None:
    assert examples.scope_value("orders.read") == "orders/read"
    assert examples.scope_value("payments.capture") == "payments/capture"


def test_an_oidc_scope_without_a_value_is_its_name_on_the_wire(examples: DesiredState) -> None:
    assert examples.scope_value("inventory.write") == "inventory.write"


def test_role_scopes_are_the_wire_values_sorted(tmp_path: Path) -> None:
    state = loads(
        tmp_path,
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: a.cancel}
        spec: {provider: corp, resourceServer: orders, value: orders/cancel}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: editor}
        spec: {scopes: [orders.write, a.cancel, orders.read]}
        """,
    )
    assert state.role_scopes("editor") == ["orders/cancel", "orders/read", "orders/write"]


def test_role_scopes_of_the_examples(examples: DesiredState) -> None:
    assert examples.role_scopes("checkout") == ["orders/write", "payments/capture"]
    assert examples.role_scopes("stock-keeper") == ["inventory.read", "inventory.write"]


def test_a_role_provider_is_the_provider_of_its_scopes(examples: DesiredState) -> None:
    assert examples.role_provider("checkout").metadata.name == "corp"
    assert examples.role_provider("stock-keeper").metadata.name == "partners"
    assert examples.service_provider("stock-sync").metadata.name == "partners"


def test_the_summary_counts_objects_per_kind_in_kind_order(examples: DesiredState) -> None:
    assert examples.summary() == "18 objects valid: 3 IdentityProvider, 7 Scope, 4 Role, 4 Service"
    assert examples.object_count == 18


def test_the_summary_leaves_out_absent_kinds_and_says_object_for_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "one.yaml",
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: IdentityProvider
        metadata: {name: corp}
        spec:
          cognito: {userPoolId: us-east-1_Ex4mple01, tokenEndpoint: https://auth.example.com/t}
        """,
    )
    assert load(path).summary() == "1 object valid: 1 IdentityProvider"


def test_the_sources_say_where_each_object_came_from(examples: DesiredState) -> None:
    source = examples.sources["Service/orders-api"]
    assert Path(source.document.file) == EXAMPLES / "payments" / "workloads.yaml"
    assert source.document.start.line == 20


def test_a_generation_is_a_short_hex_digest(examples: DesiredState) -> None:
    assert re.fullmatch(r"[0-9a-f]{12}", generation(examples.services["orders-api"]))


def test_a_generation_is_stable_across_loads(examples: DesiredState) -> None:
    again = load(EXAMPLES)
    for key, placed in examples.sources.items():
        assert generation(placed.obj) == generation(again.sources[key].obj), key


def test_generations_of_different_specs_differ(examples: DesiredState) -> None:
    generations = {generation(placed.obj) for placed in examples.sources.values()}
    assert len(generations) == examples.object_count


ROLE = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: Role
metadata: {name: writer, labels: LABELS}
spec:
  scopes: [orders.write]
  tokenLifetime: LIFETIME
"""


def writer_generation(folder: Path, lifetime: str, labels: str = "{}") -> str:
    text = ROLE.replace("LIFETIME", lifetime).replace("LABELS", labels)
    return generation(loads(folder, text).roles["writer"])


def test_a_generation_changes_with_the_spec(tmp_path: Path) -> None:
    assert writer_generation(tmp_path, "15m") != writer_generation(tmp_path, "30m")


def test_a_generation_ignores_metadata_and_spelling_of_equal_durations(tmp_path: Path) -> None:
    first = writer_generation(tmp_path, "1h")
    assert writer_generation(tmp_path, "60m", labels="{team: payments}") == first
    assert writer_generation(tmp_path, "3600s") == first


def test_a_generation_counts_defaults_as_written_out(tmp_path: Path) -> None:
    defaulted = ROLE.replace("  tokenLifetime: LIFETIME\n", "").replace("LABELS", "{}")
    assert generation(loads(tmp_path, defaulted).roles["writer"]) == writer_generation(
        tmp_path, "1h"
    )


def test_the_base_world_has_the_objects_the_helpers_promise(tmp_path: Path) -> None:
    state = load(write(tmp_path, "base.yaml", BASE))
    assert sorted(state.sources) == [
        "IdentityProvider/corp",
        "IdentityProvider/partners",
        "Role/orders-reader",
        "Scope/orders.read",
        "Scope/orders.write",
        "Scope/stock.read",
        "Service/orders-api",
    ]


NEW_SCOPE = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: Scope
metadata: {name: orders.cancel}
spec: {provider: corp, resourceServer: orders, value: orders/cancel}
"""


def test_a_new_scope_moves_its_provider_s_inputs_not_the_other_provider_s(
    tmp_path: Path,
) -> None:
    """A Cognito provider creates the scopes it serves: a Scope added is an edit of its
    inputs, so the scope it must now create is not taken for drift."""
    before = load(write(tmp_path / "before", "base.yaml", BASE))
    after = loads(tmp_path / "after", NEW_SCOPE)
    assert inputs_generation(after, "IdentityProvider/corp") != inputs_generation(
        before, "IdentityProvider/corp"
    )
    assert inputs_generation(after, "IdentityProvider/partners") == inputs_generation(
        before, "IdentityProvider/partners"
    )
