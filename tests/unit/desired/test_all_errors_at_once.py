"""One run reports every problem: several files, several defects, one DesiredStateError
listing them all in file and line order."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.desired import DesiredStateError, load

from .helpers import BASE, errors, write


def test_every_defect_in_every_file_is_reported_in_file_and_line_order(tmp_path: Path) -> None:
    write(tmp_path, "a-base.yaml", BASE)
    write(
        tmp_path,
        "b-roles.yaml",
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: writer}
        spec:
          scopes: [orders.write]
          tokenLifetime: 2h
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: ghost-reader}
        spec:
          scopes: [ghost.read]
        """,
    )
    write(
        tmp_path,
        "c/services.yaml",
        """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: billing}
        spec:
          role: nobody
          cluster: prod
          taskDefinition: {family: billing, container: app}
          secret: {rotateEvery: 1d, gracePeriod: 2d}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: billing-2}
        spec:
          role: nobody
          cluster: prod
          taskDefinition: {family: billing, container: app}
        """,
    )
    write(tmp_path, "d-broken.yaml", "kind: [Scope\n")
    found = errors(tmp_path)
    assert [e.where for e in found] == [
        "b-roles.yaml:6:18",
        "b-roles.yaml:12:12",
        "c/services.yaml:8:42",
        "c/services.yaml:14:9",
        "d-broken.yaml:2:1",
    ]
    assert "over the 1h maximum" in found[0].message
    assert found[1].message == "Scope 'ghost.read' is not defined"
    assert "gracePeriod must be shorter than rotateEvery" in found[2].message
    assert found[3].message == "Role 'nobody' is not defined"
    assert found[4].message.startswith("invalid YAML: ")


def test_the_error_lists_its_diagnostics_one_per_line_in_its_message(tmp_path: Path) -> None:
    write(tmp_path, "z.yaml", "apiVersion: v1\nkind: Pod\n")
    write(tmp_path, "a.yaml", "- not a mapping\n")
    with pytest.raises(DesiredStateError) as raised:
        load(tmp_path)
    diagnostics = raised.value.diagnostics
    assert diagnostics == sorted(diagnostics)
    assert [d.location.file for d in diagnostics] == [
        str(tmp_path / "a.yaml"),
        str(tmp_path / "z.yaml"),
    ]
    assert str(raised.value).splitlines() == [str(d) for d in diagnostics]
    assert str(diagnostics[1]) == (
        f"{tmp_path / 'z.yaml'}:1:13: error: "
        "unknown apiVersion 'v1'; expected 'ecs-oauth.dev/v1alpha1'"
    )


def test_errors_are_ordered_by_line_as_a_number_not_as_text(tmp_path: Path) -> None:
    documents = [
        f"apiVersion: ecs-oauth.dev/v1alpha1\nkind: Scope\nmetadata: {{name: s{i}}}\n"
        f"spec: {{provider: nobody}}\n"
        for i in range(4)
    ]
    write(tmp_path, "scopes.yaml", "---\n".join(documents))
    found = errors(tmp_path)
    assert [e.line for e in found] == [4, 9, 14, 19]


def test_a_syntax_error_in_one_file_does_not_hide_schema_errors_in_others(
    tmp_path: Path,
) -> None:
    write(tmp_path, "a.yaml", "apiVersion: ecs-oauth.dev/v1alpha1\nkind: Scope\n\tbad: tab\n")
    write(tmp_path, "b.yml", "apiVersion: ecs-oauth.dev/v1alpha1\nkind: Secret\n")
    found = errors(tmp_path)
    assert [e.where for e in found] == ["a.yaml:3:1", "b.yml:2:7"]


def test_files_that_are_not_yaml_are_not_read(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    write(tmp_path, "notes.txt", "kind: not: yaml: at all\n")
    write(tmp_path, "sub/README.md", "# not desired state\n")
    assert load(tmp_path).object_count == 7


def test_a_single_file_can_be_loaded_on_its_own(tmp_path: Path) -> None:
    path = write(tmp_path, "anything.conf", BASE)
    assert load(path).object_count == 7
