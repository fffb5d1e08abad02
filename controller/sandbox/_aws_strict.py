"""Strict mode: moto answers only what AWS would accept, and lags where AWS lags.

WSGI middleware in front of moto. For every call to a service the product
uses it checks the input against the service model's constraints
(``_aws_shapes``) and applies the catalogue of documented behaviours
(``_aws_rules``); it answers a violation with AWS's own error for the
protocol, so botocore raises the same exception class as against AWS.
Everything else (``/moto-api/...``, ``/__faults``, the Cognito endpoints)
passes through untouched.

Strict is on by default. ``/__strict`` reads and changes it at run time::

    GET  /__strict   {"shapes": true, "rules": {"secrets-list-lag": true, ...},
                      "listSecretsLagSeconds": 2, "iamVisibilitySeconds": 2}
    POST /__strict   any subset of that document; answers the new settings
    DELETE /__strict the defaults again

``POST /moto-api/reset`` restores the defaults too, and forgets every rule's memory.

Every AWS call that arrives is journaled (``_aws_journal``), whatever strict mode
enforces, sensitive values left out::

    GET    /__strict/calls  [{"service": "iam", "operation": "CreateRole",
                              "region": "us-east-1", "accessKey": "...",
                              "started": 1.7e9, "ended": 1.7e9, "params": {...}}, ...]
    DELETE /__strict/calls  forget them (so does ``POST /moto-api/reset``)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from werkzeug.wrappers import Request, Response

from controller.sandbox._aws_journal import Journal
from controller.sandbox._aws_rule_kinds import Rejection, Windows
from controller.sandbox._aws_rules import Rule, catalogue
from controller.sandbox._aws_shapes import message, validate
from controller.sandbox._aws_wire import AwsCall, preload, read_call
from controller.sandbox._moto_faults import ARRIVED, RESET_PATH, Fault, error_response

STRICT_PATH = "/__strict"
JOURNAL_PATH = "/__strict/calls"
# The error each service answers a request that breaks its model's constraints
# with. IAM and STS (query protocol) say ValidationError; Secrets Manager says
# ValidationException, which its model does not list (seen in SDK issues).
SHAPE_ERRORS = {
    "ecs": "ClientException",
    "secretsmanager": "ValidationException",
    "cognito-idp": "InvalidParameterException",
    "dynamodb": "ValidationException",
    "iam": "ValidationError",
    "sts": "ValidationError",
}


@dataclass(frozen=True)
class Settings:
    """What strict mode enforces; the document ``/__strict`` shows."""

    rules: dict[str, bool]
    shapes: bool = True
    windows: Windows = field(default_factory=Windows)

    def document(self) -> dict[str, Any]:
        return {
            "shapes": self.shapes,
            "rules": dict(self.rules),
            "listSecretsLagSeconds": self.windows.list_secrets_lag,
            "iamVisibilitySeconds": self.windows.iam_visibility,
            "dynamodbReadLagSeconds": self.windows.dynamodb_read_lag,
        }

    def updated(self, document: Any) -> Settings:
        """These settings changed by a POSTed document; raises ValueError saying what is wrong."""
        if not isinstance(document, dict):
            raise ValueError("expected a JSON object")
        unknown = set(document) - set(self.document())
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        shapes = document.get("shapes", self.shapes)
        if not isinstance(shapes, bool):
            raise ValueError("'shapes' must be true or false")
        rules = document.get("rules", {})
        if not isinstance(rules, dict) or not all(isinstance(on, bool) for on in rules.values()):
            raise ValueError("'rules' must map rule names to true or false")
        if set(rules) - set(self.rules):
            raise ValueError(f"unknown rules; known: {', '.join(sorted(self.rules))}")
        windows = Windows(
            list_secrets_lag=_seconds(
                document, "listSecretsLagSeconds", self.windows.list_secrets_lag
            ),
            iam_visibility=_seconds(document, "iamVisibilitySeconds", self.windows.iam_visibility),
            dynamodb_read_lag=_seconds(
                document, "dynamodbReadLagSeconds", self.windows.dynamodb_read_lag
            ),
        )
        return replace(self, shapes=shapes, rules={**self.rules, **rules}, windows=windows)


def _seconds(document: dict[str, Any], name: str, current: float) -> float:
    value = document.get(name, current)
    if type(value) not in (int, float) or not 0 <= value <= 3600:
        raise ValueError(f"'{name}' must be a number of seconds from 0 to 3600")
    return float(value)


class StrictPeer:
    """WSGI middleware that holds moto to AWS's validation and documented behaviours."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._rules, self._settings = self._defaults()
        self._journal = Journal()
        preload()

    @staticmethod
    def _defaults() -> tuple[tuple[Rule, ...], Settings]:
        rules = catalogue()
        return rules, Settings(rules={rule.name: True for rule in rules})

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == STRICT_PATH:
            return self._control(Request(environ))(environ, start_response)
        if path == JOURNAL_PATH:
            return self._calls(Request(environ))(environ, start_response)
        if path == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            with self._lock:
                self._rules, self._settings = self._defaults()
            self._journal.clear()
        with self._lock:
            rules, settings = self._rules, self._settings
        enabled = [rule for rule in rules if settings.rules[rule.name]]
        call = read_call(environ)
        if call is None:
            return self._app(environ, start_response)
        entry = self._journal.record(call, environ.get(ARRIVED))
        try:
            return self._answer(call, enabled, settings, environ, start_response)
        finally:
            self._journal.answered(entry)

    def _answer(
        self,
        call: AwsCall,
        enabled: list[Rule],
        settings: Settings,
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        watching = [rule for rule in enabled if rule.watches(call)]
        rejection = self._reject(call, watching, settings)
        if rejection is not None:
            fault = Fault(rejection.code, rejection.status, rejection.message, remaining=1)
            return error_response(fault, rejection.code, environ)(environ, start_response)
        if not any(rule.rewrite for rule in watching):
            return self._app(environ, start_response)
        response = Response.from_app(self._app, environ, buffered=True)
        for rule in watching:
            if rule.rewrite is not None:
                rule.rewrite(call, response, settings.windows)
        return response(environ, start_response)

    @staticmethod
    def _reject(call: AwsCall, rules: list[Rule], settings: Settings) -> Rejection | None:
        """The first objection AWS would raise: the input's shape, then the rules in order."""
        if settings.shapes and call.operation.input_shape is not None:
            violations = validate(call.operation.input_shape, call.params)
            if violations:
                return Rejection(SHAPE_ERRORS[call.service], message(violations))
        for rule in rules:
            rejection = rule.check(call, settings.windows) if rule.check else None
            if rejection is not None:
                return rejection
        return None

    def _calls(self, request: Request) -> Response:
        if request.method == "DELETE":
            self._journal.clear()
            return Response(status=204)
        if request.method != "GET":
            return Response(status=405)
        body = json.dumps(self._journal.calls(), default=str)
        return Response(body, content_type="application/json")

    def _control(self, request: Request) -> Response:
        if request.method == "DELETE":
            with self._lock:
                self._settings = self._defaults()[1]
        elif request.method == "POST":
            try:
                with self._lock:
                    self._settings = self._settings.updated(json.loads(request.get_data()))
            except ValueError as invalid:  # json.JSONDecodeError is a ValueError
                body = json.dumps({"error": str(invalid)})
                return Response(body, status=400, content_type="application/json")
        elif request.method != "GET":
            return Response(status=405)
        with self._lock:
            document = self._settings.document()
        return Response(json.dumps(document), content_type="application/json")
