"""An Okta provider and a Service on it, through ``ecs-oauth apply``: the task's secret
holds an Okta client whose token carries exactly its Role's scopes and lifetime, a plan
right after finds nothing, and drift of the app's grant types or the client's scopes is
planned and corrected."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from controller.desired import load
from controller.engine import EngineSettings, RotationStep, World, advance_rotation
from tests.integration.converge.conftest import Cli, explain

from ._world import SERVICE, OktaWorld


def test_apply_creates_the_okta_client_and_a_plan_after_it_finds_nothing(
    converged: OktaWorld,
) -> None:
    planned = converged.cli("plan", "--detailed-exitcode")

    assert planned.returncode == 0, explain(planned)
    assert "No changes" in planned.stdout
    [app] = converged.okta.org.apps.values()
    assert app["label"] == f"ecs-oauth-{SERVICE}"
    assert app["profile"]["service"] == SERVICE
    assert sorted(s["name"] for s in converged.okta.org.scopes.values()) == [
        "orders.read",
        "orders.write",
    ]
    held = converged.credentials()
    assert held["client_id"] == app["id"]
    assert held["token_endpoint"] == f"{converged.okta.issuer}/v1/token"


def test_the_task_gets_a_token_with_exactly_its_roles_scopes_and_lifetime(
    converged: OktaWorld,
) -> None:
    granted = converged.token("orders.read")
    refused = converged.token("orders.read orders.write")
    keys = KeySet.import_key_set(httpx.get(f"{converged.okta.issuer}/v1/keys").json())

    assert granted.status_code == 200, granted.text
    claims = jwt.decode(granted.json()["access_token"], keys).claims
    assert claims["scp"] == ["orders.read"]
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert (refused.status_code, refused.json()["error"]) == (400, "access_denied")


def test_a_drifted_grant_type_and_scope_are_planned_then_corrected(
    converged: OktaWorld,
) -> None:
    org = converged.okta.org
    [app] = org.apps.values()
    app["settings"]["oauthClient"]["grant_types"] = ["client_credentials", "implicit"]
    [rules] = org.rules.values()
    [rule] = rules.values()
    rule["conditions"]["scopes"]["include"] = ["orders.read", "orders.write"]
    assert converged.token("orders.read orders.write").status_code == 200

    plan = converged.cli.plan_json()
    applied = converged.cli.apply()
    after = converged.cli("plan", "--detailed-exitcode")

    changed = [c for c in plan["changes"] if c["object"] == f"Service/{SERVICE}"]
    assert [(c["action"], c["resource"]) for c in changed] == [("update", "idp:client")], plan
    assert {f["path"] for f in changed[0]["diff"]} == {"grantTypes", "scopes"}
    assert "idp:client" in applied.stdout
    assert after.returncode == 0, explain(after)
    assert app["settings"]["oauthClient"]["grant_types"] == ["client_credentials"]
    assert converged.token("orders.read orders.write").status_code == 400
    assert converged.token("orders.read").status_code == 200


def rotate(okta_world: OktaWorld, now: datetime) -> RotationStep:
    """One ``advance_rotation`` call in-process, as the daemon makes it."""

    async def once() -> RotationStep:
        async with World(EngineSettings()) as world:
            state = load(okta_world.cli.folder)
            return await advance_rotation(world, state, SERVICE, now=now, force_start=True)

    with mock.patch.dict(os.environ, okta_world.cli.env):
        return asyncio.run(once())


def test_a_rotation_adds_an_okta_secret_then_retires_the_old_one_without_a_failed_token(
    converged: OktaWorld,
) -> None:
    before = converged.credentials()
    client_id = before["client_id"]

    first = rotate(converged, datetime.now(UTC))
    during = converged.credentials()
    granted_during = [converged.token("orders.read").status_code for _ in range(3)]
    secrets_during = [e["status"] for e in converged.okta.org.secrets[client_id]]
    last = rotate(converged, datetime.now(UTC) + timedelta(days=1))
    after = converged.credentials()

    assert (first.phase, first.failure) == ("revoke", None), first
    assert during["client_id"] == client_id
    assert during["client_secret"] != before["client_secret"]
    assert granted_during == [200, 200, 200]
    assert secrets_during == ["ACTIVE", "ACTIVE"]
    assert (last.done, last.failure) == (True, None), last
    [remaining] = converged.okta.org.secrets[client_id]
    assert remaining["client_secret"] == after["client_secret"] == during["client_secret"]
    assert converged.token("orders.read").status_code == 200
    old = httpx.post(
        after["token_endpoint"],
        data={"grant_type": "client_credentials", "scope": "orders.read"},
        auth=(client_id, before["client_secret"]),
    )
    assert old.status_code == 401


def test_a_plan_through_a_service_app_in_place_of_the_api_token_finds_nothing(
    converged: OktaWorld, tmp_path: Path
) -> None:
    client_id, key = converged.okta.service_app(
        ("okta.apps.manage", "okta.authorizationServers.manage")
    )
    folder = tmp_path / "desired"
    folder.mkdir()
    original = (converged.cli.folder / "okta.yaml").read_text()
    (folder / "okta.yaml").write_text(
        original.replace(
            "apiToken: {fromEnv: OKTA_API_TOKEN}",
            f"serviceApp: {{clientId: {client_id}, privateKey: {{fromEnv: OKTA_KEY}}}}",
        )
    )
    env = {k: v for k, v in converged.cli.env.items() if k != "OKTA_API_TOKEN"}
    cli = Cli(folder, {**env, "OKTA_KEY": key})

    planned = cli("plan", "--detailed-exitcode")

    assert planned.returncode == 0, explain(planned)
    assert len(converged.okta.org.access_tokens) == 1


def test_an_app_made_by_hand_with_the_clients_label_is_adopted_only_when_allowed(
    converged: OktaWorld,
) -> None:
    org = converged.okta.org
    by_hand = {
        "name": "oidc_client",
        "label": "ecs-oauth-checkout-worker",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
        "settings": {
            "oauthClient": {
                "application_type": "service",
                "grant_types": ["client_credentials"],
                "response_types": ["token"],
            }
        },
    }
    made = httpx.post(
        f"{converged.okta.org_url}/api/v1/apps",
        json=by_hand,
        headers={"Authorization": f"SSWS {org.api_token}"},
    )
    assert made.status_code == 200, made.text
    app_id = made.json()["id"]
    service = (converged.cli.folder / "okta.yaml").read_text().split("kind: Service")[1]
    worker = service.replace(SERVICE, "checkout-worker").replace(
        "container: app", "container: worker"
    )
    extra = converged.cli.folder / "worker.yaml"
    extra.write_text("apiVersion: ecs-oauth.dev/v1alpha1\nkind: Service" + worker)

    refused = converged.cli("apply", "--auto-approve")
    extra.write_text(extra.read_text() + "  adopt: true\n")
    adopted = converged.cli("apply", "--auto-approve")

    assert refused.returncode != 0
    assert "ResourceNotOwned" in refused.stdout + refused.stderr
    assert adopted.returncode == 0, explain(adopted)
    assert len(org.apps) == 2
    assert org.apps[app_id]["profile"] == {"managedBy": "ecs-oauth", "service": "checkout-worker"}
    held = json.loads(
        converged.world.client("secretsmanager").get_secret_value(
            SecretId="ecs-oauth/checkout-worker", VersionStage="AWSCURRENT"
        )["SecretString"]
    )
    assert held["client_id"] == app_id
