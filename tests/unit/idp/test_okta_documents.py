"""What the Okta adapter writes and how it reads an app back, as plain documents."""

from __future__ import annotations

import time
from datetime import timedelta

from controller.idp import ClientRecord, ClientSpec
from controller.idp import _okta_wire as wire
from controller.idp._okta_sdk import RateGate

SPEC = ClientSpec("ecs-oauth-orders-api", ("orders.read", "orders.write"), timedelta(minutes=15))
RECORD = ClientRecord("0oa1", "secret")


def test_an_app_is_a_client_credentials_service_app_owned_by_its_service() -> None:
    app = wire.app_document(SPEC, "s" * 48)
    assert app["signOnMode"] == "OPENID_CONNECT"
    assert app["settings"]["oauthClient"] == {
        "application_type": "service",
        "grant_types": ["client_credentials"],
        "response_types": ["token"],
    }
    assert app["credentials"]["oauthClient"]["token_endpoint_auth_method"] == (
        "client_secret_basic"
    )
    assert app["profile"] == {"managedBy": "ecs-oauth", "service": "orders-api"}
    assert wire.owned(app)


def test_an_app_as_written_needs_no_update() -> None:
    assert wire.app_update(wire.app_document(SPEC), SPEC) is None


def test_an_update_fixes_grant_types_and_keeps_fields_it_does_not_own_without_the_secret() -> None:
    current = wire.app_document(SPEC, "s" * 48)
    current["settings"]["oauthClient"]["grant_types"] = ["client_credentials", "implicit"]
    current["settings"]["oauthClient"]["client_uri"] = "https://orders.example.com"
    current["profile"]["team"] = "payments"

    update = wire.app_update(current, SPEC)

    assert update is not None
    assert update["settings"]["oauthClient"]["grant_types"] == ["client_credentials"]
    assert update["settings"]["oauthClient"]["client_uri"] == "https://orders.example.com"
    assert update["profile"]["team"] == "payments"
    assert "client_secret" not in update["credentials"]["oauthClient"]


def test_a_rule_grants_exactly_the_scopes_and_lifetime_of_the_role() -> None:
    rule = wire.rule_document(SPEC)
    observed = wire.observed({"label": SPEC.name, "status": "ACTIVE"}, rule, RECORD)
    assert observed.scopes == ("orders.read", "orders.write")
    assert observed.token_lifetime == timedelta(minutes=15)
    assert not wire.rule_differs(rule, SPEC)
    assert wire.rule_differs(
        wire.rule_document(SPEC.__class__(SPEC.name, ("x",), SPEC.token_lifetime)), SPEC
    )


def test_an_inactive_app_or_rule_reads_as_granting_nothing() -> None:
    app = {**wire.app_document(SPEC), "status": "INACTIVE"}
    rule = {**wire.rule_document(SPEC), "status": "INACTIVE"}
    observed = wire.observed(app, rule, RECORD)
    assert (observed.grant_types, observed.scopes) == ((), ())


def test_a_clients_policy_is_the_one_that_names_only_it() -> None:
    shared = {"id": "p1", "conditions": {"clients": {"include": ["0oa1", "0oa2"]}}}
    own = {"id": "p2", **wire.policy_document(SPEC, "0oa1")}
    assert wire.policy_for([shared, own], "0oa1") == own
    assert wire.policy_for([shared], "0oa1") is None


def test_the_rate_gate_waits_only_once_the_remaining_budget_is_zero() -> None:
    gate = RateGate()
    reset = time.time() + 30
    gate.saw({"X-Rate-Limit-Remaining": "3", "X-Rate-Limit-Reset": str(reset)})
    assert gate.reset_at == 0.0
    gate.saw({"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(reset)})
    assert gate.reset_at == reset
