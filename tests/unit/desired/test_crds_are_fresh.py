"""crds/ is generated from the validating models; it must never go stale or disagree."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from controller.cli import main
from controller.desired import KINDS, generated_schema_files

from .helpers import CRDS, EXAMPLES

REGENERATE = "crds/ is stale; run `ecs-oauth crds --out crds/` and commit the result"
GENERATED = generated_schema_files()
CRD_FILES = sorted(name for name in GENERATED if name.endswith(".yaml"))


def example_documents() -> list[dict[str, Any]]:
    return [
        document
        for path in sorted(EXAMPLES.rglob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document is not None
    ]


def keys_anywhere(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from keys_anywhere(value)
    elif isinstance(node, list):
        for item in node:
            yield from keys_anywhere(item)


def crd(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(GENERATED[name])
    return loaded


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_each_committed_file_equals_what_the_models_generate_byte_for_byte(name: str) -> None:
    committed = CRDS / name
    assert committed.is_file(), f"crds/{name} is missing; {REGENERATE}"
    assert committed.read_bytes() == GENERATED[name].encode("utf-8"), REGENERATE


def test_crds_holds_no_file_the_models_do_not_generate() -> None:
    assert sorted(p.name for p in CRDS.iterdir() if p.is_file()) == sorted(GENERATED), REGENERATE


def test_there_is_one_crd_per_kind_and_an_editor_schema() -> None:
    assert sorted(f"{kind.lower()}.yaml" for kind in KINDS) == CRD_FILES
    assert "desired-state.schema.json" in GENERATED


def test_the_crds_command_writes_exactly_the_generated_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crds", "--out", str(tmp_path / "out")]) == 0
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir()}
    assert written == GENERATED
    assert len(capsys.readouterr().out.splitlines()) == len(GENERATED)


@pytest.mark.parametrize("name", CRD_FILES)
def test_each_crd_has_the_group_version_and_names_of_its_kind(name: str) -> None:
    document = crd(name)
    kind = document["spec"]["names"]["kind"]
    assert document["apiVersion"] == "apiextensions.k8s.io/v1"
    assert document["kind"] == "CustomResourceDefinition"
    assert name == f"{kind.lower()}.yaml"
    assert document["spec"]["group"] == "ecs-oauth.dev"
    assert document["metadata"]["name"] == f"{document['spec']['names']['plural']}.ecs-oauth.dev"
    [version] = document["spec"]["versions"]
    assert (version["name"], version["served"], version["storage"]) == ("v1alpha1", True, True)


@pytest.mark.parametrize("name", CRD_FILES)
def test_each_crd_schema_is_structural_with_no_ref_anywhere(name: str) -> None:
    keys = set(keys_anywhere(crd(name)))
    assert "$ref" not in keys
    assert "$defs" not in keys
    assert "$ref" not in GENERATED[name]


@pytest.mark.parametrize("name", CRD_FILES)
def test_each_crd_spec_schema_forbids_nothing_the_examples_use(name: str) -> None:
    document = crd(name)
    kind = document["spec"]["names"]["kind"]
    schema = document["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    examples = [d for d in example_documents() if d["kind"] == kind]
    assert examples, f"no example of {kind}"
    for example in examples:
        jsonschema.Draft7Validator(schema).validate(example)


def editor_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(GENERATED["desired-state.schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_the_editor_schema_accepts_every_example_document() -> None:
    validator = jsonschema.Draft202012Validator(editor_schema())
    for document in example_documents():
        errors = [error.message for error in validator.iter_errors(document)]
        assert errors == [], f"{document['kind']}/{document['metadata']['name']}: {errors}"


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("tokenLifetme", "15m"),
        ("tokenLifetime", "fifteen minutes"),
        ("scopes", "orders.read"),
    ],
)
def test_the_editor_schema_rejects_what_validate_rejects(change: str, value: str) -> None:
    role = next(d for d in example_documents() if d["kind"] == "Role")
    broken = {**role, "spec": {**role["spec"], change: value}}
    assert not jsonschema.Draft202012Validator(editor_schema()).is_valid(broken)
