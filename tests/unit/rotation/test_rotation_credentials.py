"""The credentials a rotation makes and retires, and what a token endpoint granted."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta

from controller.engine._rotation_plan import stale_secrets
from controller.engine._rotation_strategies import new_secret_value
from controller.idp import ClientSecretInfo
from controller.idp._token import granted_scopes

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_a_generated_secret_is_what_cognito_accepts_as_a_chosen_value() -> None:
    value = new_secret_value()

    assert re.fullmatch(r"[A-Za-z0-9_+]{24,64}", value, re.ASCII)


def test_generated_secrets_differ() -> None:
    assert len({new_secret_value() for _ in range(50)}) == 50


def test_revoke_deletes_every_cognito_secret_but_the_newest() -> None:
    old = ClientSecretInfo("client--1000", T0)
    new = ClientSecretInfo("client--2000", T0 + timedelta(minutes=5))

    assert stale_secrets([new, old]) == ["client--1000"]


def test_revoke_of_a_client_with_one_secret_deletes_nothing() -> None:
    assert stale_secrets([ClientSecretInfo("client--1000", T0)]) == []


def test_secrets_created_in_the_same_instant_are_ordered_by_id() -> None:
    first = ClientSecretInfo("client--1000", T0)
    second = ClientSecretInfo("client--1001", T0)

    assert stale_secrets([second, first]) == ["client--1000"]


def jwt_with(claims: dict[str, object]) -> str:
    def part(document: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.signature"


def test_granted_scopes_come_from_the_response_first() -> None:
    body = {"scope": "b a"}

    assert granted_scopes(body, jwt_with({"scope": "c"}), ("x",)) == ("a", "b")


def test_without_a_scope_in_the_response_the_jwt_claim_counts() -> None:
    assert granted_scopes({}, jwt_with({"scope": "orders/read"}), ("x",)) == ("orders/read",)


def test_an_opaque_token_without_a_scope_was_granted_what_was_asked() -> None:
    assert granted_scopes({}, "opaque-token", ("b", "a")) == ("a", "b")
