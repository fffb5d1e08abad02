"""CustomResourceDefinitions and an editor JSON Schema, generated from the validating models.

Kubernetes wants structural schemas: no $ref, no nullable unions, and properties never
beside additionalProperties; so the pydantic schema is inlined and simplified here.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import yaml
from pydantic import Field, TypeAdapter

from controller.desired._kinds import KINDS, AnyObject

GROUP = "ecs-oauth.dev"
VERSION = "v1alpha1"
JsonSchema = dict[str, Any]


def _inline(node: Any, definitions: dict[str, JsonSchema]) -> Any:
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = definitions[node["$ref"].rsplit("/", 1)[-1]]
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _inline(merged, definitions)
    result = {k: _inline(v, definitions) for k, v in node.items() if k not in ("title", "$defs")}
    branches = [b for b in result.get("anyOf", []) if b != {"type": "null"}]
    if "anyOf" in result and len(branches) == 1:
        del result["anyOf"]
        result = {**branches[0], **result}
        if result.get("default", "") is None:  # "absent" needs no default in Kubernetes
            del result["default"]
    if "properties" in result:
        result.pop("additionalProperties", None)
    return result


def _structural(model: Any) -> JsonSchema:
    schema = model.model_json_schema(by_alias=True)
    inlined: JsonSchema = _inline(schema, schema.get("$defs", {}))
    return inlined


def custom_resource_definition(kind: str) -> JsonSchema:
    model = KINDS[kind]
    plural = kind.lower() + ("s" if not kind.endswith("s") else "es")
    spec_model = model.model_fields["spec"].annotation
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "names": {
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "required": ["spec"],
                            "properties": {
                                "apiVersion": {"type": "string"},
                                "kind": {"type": "string"},
                                "metadata": {"type": "object"},
                                "spec": _structural(spec_model),
                                "status": {
                                    "type": "object",
                                    "x-kubernetes-preserve-unknown-fields": True,
                                },
                            },
                        }
                    },
                }
            ],
        },
    }


def editor_schema() -> JsonSchema:
    """One schema for a desired-state document, for YAML language servers."""
    adapter: TypeAdapter[AnyObject] = TypeAdapter(Annotated[AnyObject, Field(discriminator="kind")])
    schema = adapter.json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://{GROUP}/schemas/{VERSION}/desired-state.json",
        "title": "ecs-oauth desired-state document",
        **schema,
    }


def generated_files() -> dict[str, str]:
    """File name -> content, exactly as ``ecs-oauth crds --out DIR`` writes them."""
    files = {
        f"{kind.lower()}.yaml": yaml.safe_dump(custom_resource_definition(kind), sort_keys=False)
        for kind in KINDS
    }
    files["desired-state.schema.json"] = json.dumps(editor_schema(), indent=2) + "\n"
    return files
