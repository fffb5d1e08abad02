"""The pending marker a Service's secret holds while its first client is created."""

from __future__ import annotations

import json
import re

from controller.engine._client_intent import PENDING, Intent, intent_of


def test_a_new_intent_chooses_a_secret_cognito_accepts() -> None:
    intent = Intent.new("ecs-oauth-orders-api")
    # CreateUserPoolClient's ClientSecret: 24 to 64 characters of [\w+].
    assert re.fullmatch(r"[\w+]{24,64}", intent.client_secret)
    assert Intent.new("ecs-oauth-orders-api").client_secret != intent.client_secret


def test_the_pending_value_keeps_what_a_task_needs_and_drops_the_old_client_id() -> None:
    old = {"client_id": "old", "token_endpoint": "https://t", "registration_access_token": "x"}
    value = Intent("ecs-oauth-a", "s" * 48).value(old)
    assert value == {
        "token_endpoint": "https://t",
        PENDING: "ecs-oauth-a",
        "client_secret": "s" * 48,
    }


def test_a_marker_is_read_back_only_for_the_client_it_names() -> None:
    value = Intent("ecs-oauth-a", "s" * 48).value({})
    assert intent_of(value, "ecs-oauth-a") == Intent("ecs-oauth-a", "s" * 48)
    assert intent_of(value, "ecs-oauth-b") is None
    assert intent_of({"client_id": "c", "client_secret": "s"}, "ecs-oauth-a") is None
    assert intent_of(None, "ecs-oauth-a") is None


def test_an_intent_never_shows_its_secret() -> None:
    intent = Intent("ecs-oauth-a", "topsecretvalue" * 3)
    assert "topsecret" not in repr(intent)
    assert "topsecret" not in str(intent)
    assert "topsecret" not in json.dumps({"intent": repr(intent)})
