"""Which AWS operation a request to the sandbox calls, with its parameters as botocore built them.

The strict checks need the operation's model and its input as one nested
structure, whatever the wire protocol:

- JSON protocol (ECS, Secrets Manager, Cognito, DynamoDB): the service is named
  by the ``X-Amz-Target`` prefix and the body is the input;
- query protocol (IAM, STS): the service is named by the SigV4 credential
  scope, the operation by ``Action``, and the input is flattened into
  ``Tags.member.1.Key=...`` pairs, which are folded back here guided by the
  input shape, as botocore's query serializer unfolded them.

Only the services the product calls are known; any other request is none of
these checks' business and passes through untouched.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.types import WSGIEnvironment

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from controller.sandbox._moto_faults import read_body

SERVICES = ("ecs", "iam", "secretsmanager", "cognito-idp", "sts", "dynamodb")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class AwsCall:
    """One AWS API call: its operation, input, the signer's region and access key.

    ``arrived`` (monotonic seconds) is when the request came in: an eventually
    consistent view is as old as the request, however long moto takes to answer.
    """

    service: str
    operation: OperationModel
    params: dict[str, Any]
    region: str
    access_key: str
    arrived: float = field(default_factory=time.monotonic)

    @property
    def name(self) -> str:
        return str(self.operation.name)


@cache
def service_model(service: str) -> ServiceModel:
    """botocore's model of a service, loaded once per process."""
    return botocore.session.get_session().get_service_model(service)


def preload() -> None:
    """Load every model now, so the first request does not wait for it."""
    _json_services()


@cache
def _json_services() -> dict[str, str]:
    """``X-Amz-Target`` prefix -> service name, from the models themselves."""
    prefixes: dict[str, str] = {}
    for service in SERVICES:
        model = service_model(service)
        if model.protocol == "json":
            prefixes[model.metadata["targetPrefix"]] = service
    return prefixes


def read_call(environ: WSGIEnvironment) -> AwsCall | None:
    """The AWS call a request makes, or None for anything else (the body stays readable)."""
    scope = _CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    if scope is None:
        return None
    access_key, region, signed_service = scope.groups()
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        prefix, _, operation = str(target).rpartition(".")
        service = _json_services().get(prefix)
        if service is None or operation not in service_model(service).operation_names:
            return None
        params = _json_input(environ)
        if params is None:
            return None
        model = service_model(service).operation_model(operation)
        return AwsCall(service, model, params, region, access_key)
    if signed_service not in SERVICES or service_model(signed_service).protocol != "query":
        return None
    flat = _query_input(environ)
    operation = flat.pop("Action", "")
    if operation not in service_model(signed_service).operation_names:
        return None
    model = service_model(signed_service).operation_model(operation)
    params = unflatten(model.input_shape, flat) if model.input_shape else {}
    return AwsCall(signed_service, model, params, region, access_key)


def _json_input(environ: WSGIEnvironment) -> dict[str, Any] | None:
    body = read_body(environ)
    try:
        document = json.loads(body) if body.strip() else {}
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _query_input(environ: WSGIEnvironment) -> dict[str, str]:
    pairs = parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    if str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded"):
        body = read_body(environ).decode("utf-8", errors="replace")
        pairs += parse_qsl(body, keep_blank_values=True)
    return dict(pairs)


def unflatten(shape: StructureShape, flat: dict[str, str]) -> dict[str, Any]:
    """The nested input botocore's query serializer flattened into ``flat``."""
    folded = _fold(shape, flat, "")
    return folded if isinstance(folded, dict) else {}


def _fold(shape: Shape, flat: dict[str, str], key: str) -> Any:
    if isinstance(shape, StructureShape):
        members = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            value = _fold(member, flat, f"{key}.{wire}" if key else wire)
            if value is not None:
                members[name] = value
        return members if members or not key else None
    if isinstance(shape, ListShape):
        if flat.get(key) == "":
            return []  # botocore sends an empty list as "Name="
        item = key if shape.serialization.get("flattened") else f"{key}.member"
        return _items(flat, item, lambda at: _fold(shape.member, flat, at))
    if isinstance(shape, MapShape):
        entry = key if shape.serialization.get("flattened") else f"{key}.entry"
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        pairs = _items(
            flat,
            entry,
            lambda at: (
                flat.get(f"{at}.{key_name}"),
                _fold(shape.value, flat, f"{at}.{value_name}"),
            ),
        )
        return None if pairs is None else dict(pairs)
    return _scalar(shape, flat.get(key))


def _items(flat: dict[str, str], prefix: str, item: Callable[[str], Any]) -> list[Any] | None:
    """Items ``prefix.1``, ``prefix.2``, ... until the first missing index."""
    found = []
    index = 1
    while any(
        name == f"{prefix}.{index}" or name.startswith(f"{prefix}.{index}.") for name in flat
    ):
        found.append(item(f"{prefix}.{index}"))
        index += 1
    return found or None


def _scalar(shape: Shape, text: str | None) -> Any:
    """A query string value in the type botocore serialized it from."""
    if text is None:
        return None
    try:
        if shape.type_name in ("integer", "long"):
            return int(text)
        if shape.type_name in ("float", "double"):
            return float(text)
    except ValueError:
        return text
    if shape.type_name == "boolean":
        return text == "true"
    return text
