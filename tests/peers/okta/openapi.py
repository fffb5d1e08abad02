"""Okta's management OpenAPI document as a judge of requests and responses.

Requests are checked as the API reads them (``readOnly`` fields refused, unknown query
parameters refused), responses as a client reads them. Okta's ``Application`` is
polymorphic on ``signOnMode``: its discriminator picks the schema an app is checked
against, which plain JSON Schema cannot do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DOCUMENT = Path(__file__).with_name("management-openapi.yaml")
BASE = "urn:okta-management"


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict[str, Any]


class OpenApi:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.version = str(document["info"]["version"])
        resource = Resource.from_contents(document, default_specification=DRAFT4)
        self._registry: Registry[Any] = Registry().with_resource(BASE, resource)
        self._paths: list[tuple[re.Pattern[str], str]] = []
        for template in document["paths"]:
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            self._paths.append((re.compile(f"^{pattern}$"), template))
        # Literal segments win over parameters, as routers match them.
        self._paths.sort(key=lambda entry: entry[1].count("{"))

    def operation(self, method: str, path: str) -> Operation | None:
        for pattern, template in self._paths:
            if pattern.match(path):
                spec = self.document["paths"][template].get(method.lower())
                return Operation(method.upper(), template, spec) if spec else None
        return None

    def request_problems(self, operation: Operation, query: dict[str, str], body: Any) -> list[str]:
        known = {p.get("name") for p in self._parameters(operation) if p.get("in") == "query"}
        problems = [f"unknown query parameter {name!r}" for name in query if name not in known]
        content = (operation.spec.get("requestBody") or {}).get("content") or {}
        schema = (content.get("application/json") or {}).get("schema")
        if schema is None:
            if body is not None:
                problems.append("a body where the operation takes none")
            return problems
        if body is None:
            if (operation.spec.get("requestBody") or {}).get("required"):
                problems.append("no body where the operation requires one")
            return problems
        return problems + self._problems(OAS30WriteValidator, schema, body)

    def response_problems(self, operation: Operation, status: int, body: Any) -> list[str]:
        responses = operation.spec.get("responses") or {}
        answer = responses.get(str(status)) or responses.get("default")
        if answer is None:
            return [f"status {status} is not a documented answer"]
        answer = self._deref(answer)
        schema = ((answer.get("content") or {}).get("application/json") or {}).get("schema")
        if schema is None:
            return [] if body is None else [f"a body on status {status}, documented without"]
        return self._problems(OAS30ReadValidator, schema, body)

    def _parameters(self, operation: Operation) -> list[dict[str, Any]]:
        shared = self.document["paths"][operation.template].get("parameters") or []
        return [self._deref(p) for p in [*shared, *(operation.spec.get("parameters") or [])]]

    def _problems(self, validator: Any, schema: dict[str, Any], body: Any) -> list[str]:
        schema = self._specific(schema, body)
        if isinstance(body, list) and self._deref(schema).get("type") == "array":
            items = self._deref(schema)["items"]
            problems: list[str] = []
            for index, item in enumerate(body):
                for problem in self._problems(validator, items, item):
                    problems.append(f"[{index}] {problem}")
            return problems
        checker = validator(self._absolute(schema), registry=self._registry)
        return [_say(error) for error in checker.iter_errors(body)]

    def _specific(self, schema: dict[str, Any], body: Any) -> dict[str, Any]:
        """The schema the discriminator names for ``body``, else ``schema``."""
        resolved = self._deref(schema)
        discriminator = resolved.get("discriminator")
        if discriminator and isinstance(body, dict):
            target = (discriminator.get("mapping") or {}).get(
                body.get(discriminator["propertyName"])
            )
            if target is not None:
                return {"$ref": target}
        return schema

    def _deref(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            found: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                found = found[part]
            node = found
        return node

    def _absolute(self, schema: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in schema and schema["$ref"].startswith("#"):
            return {"$ref": BASE + schema["$ref"]}
        return {"allOf": [schema], "$id": BASE}


def _say(error: ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(body)"
    return f"{where}: {error.message[:300]}"


@cache
def management_api() -> OpenApi:
    """Parsed once per process: the document is megabytes of YAML."""
    with DOCUMENT.open("rb") as stream:
        return OpenApi(yaml.load(stream, Loader=yaml.CSafeLoader))
