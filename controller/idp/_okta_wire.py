"""Okta management-API documents for one service's client, as plain data (no I/O).

An Okta app cannot be tagged, so what makes an app ours is its ``profile``: the
controller that owns it and the Service it belongs to. What a client may ask for is not
on the app at all but in the custom authorization server's access policies: each client
gets a policy of its own (named like the app) whose one rule allows client_credentials
for exactly its Role's scopes, with the Role's token lifetime.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from controller.idp._cognito import ClientSecretInfo
from controller.idp._types import CLIENT_CREDENTIALS, ClientRecord, ClientSpec, ObservedClient

OWNER = "ecs-oauth"
RULE_NAME = "client credentials for its role's scopes"


def service_of(spec: ClientSpec) -> str:
    return spec.name.removeprefix("ecs-oauth-")


def profile(spec: ClientSpec) -> dict[str, str]:
    return {"managedBy": OWNER, "service": service_of(spec)}


def owned(app: dict[str, Any]) -> bool:
    return (app.get("profile") or {}).get("managedBy") == OWNER


def app_document(spec: ClientSpec, client_secret: str | None = None) -> dict[str, Any]:
    """A confidential OIDC service app that may only use client_credentials."""
    oauth_client: dict[str, Any] = {
        "token_endpoint_auth_method": "client_secret_basic",
        "autoKeyRotation": True,
        "pkce_required": False,
    }
    if client_secret is not None:
        oauth_client["client_secret"] = client_secret
    return {
        "name": "oidc_client",
        "label": spec.name,
        "signOnMode": "OPENID_CONNECT",
        "profile": profile(spec),
        "credentials": {"oauthClient": oauth_client},
        "settings": {
            "oauthClient": {
                "application_type": "service",
                "grant_types": [CLIENT_CREDENTIALS],
                "response_types": ["token"],
            }
        },
    }


def app_update(current: dict[str, Any], spec: ClientSpec) -> dict[str, Any] | None:
    """The full replacement (PUT) that converges ``current`` to ``spec``, keeping what we
    do not own; None when nothing we own differs."""
    wanted = app_document(spec)
    settings = dict((current.get("settings") or {}).get("oauthClient") or {})
    credentials = dict((current.get("credentials") or {}).get("oauthClient") or {})
    mine = {
        "label": current.get("label"),
        "profile": {k: (current.get("profile") or {}).get(k) for k in profile(spec)},
        "grant_types": settings.get("grant_types"),
        "application_type": settings.get("application_type"),
        "token_endpoint_auth_method": credentials.get("token_endpoint_auth_method"),
    }
    target_settings = wanted["settings"]["oauthClient"]
    target = {
        "label": spec.name,
        "profile": profile(spec),
        "grant_types": target_settings["grant_types"],
        "application_type": target_settings["application_type"],
        "token_endpoint_auth_method": "client_secret_basic",
    }
    if mine == target:
        return None
    credentials.pop("client_secret", None)  # a PUT with a secret would replace it
    credentials["token_endpoint_auth_method"] = "client_secret_basic"
    settings.update(target_settings)
    return {
        "name": current.get("name", "oidc_client"),
        "label": spec.name,
        "signOnMode": "OPENID_CONNECT",
        "profile": {**(current.get("profile") or {}), **profile(spec)},
        "credentials": {**(current.get("credentials") or {}), "oauthClient": credentials},
        "settings": {**(current.get("settings") or {}), "oauthClient": settings},
    }


def client_id_of(app: dict[str, Any]) -> str | None:
    value = ((app.get("credentials") or {}).get("oauthClient") or {}).get("client_id")
    return value if isinstance(value, str) else None


def client_secret_of(app: dict[str, Any]) -> str | None:
    value = ((app.get("credentials") or {}).get("oauthClient") or {}).get("client_secret")
    return value if isinstance(value, str) else None


def policy_document(spec: ClientSpec, client_id: str) -> dict[str, Any]:
    return {
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "name": spec.name[:100],
        "description": f"ecs-oauth: what {spec.name} may ask for"[:255],
        "priority": 1,
        "status": "ACTIVE",
        "conditions": {"clients": {"include": [client_id]}},
    }


def rule_document(spec: ClientSpec) -> dict[str, Any]:
    return {
        "type": "RESOURCE_ACCESS",
        "name": RULE_NAME,
        "priority": 1,
        "status": "ACTIVE",
        "conditions": {
            "grantTypes": {"include": [CLIENT_CREDENTIALS]},
            "scopes": {"include": list(spec.scopes)},
            "people": {"groups": {"include": ["EVERYONE"]}},
        },
        "actions": {"token": {"accessTokenLifetimeMinutes": _minutes(spec.token_lifetime)}},
    }


def rule_differs(rule: dict[str, Any], spec: ClientSpec) -> bool:
    return _rule_terms(rule) != _rule_terms(rule_document(spec))


def policy_for(policies: list[dict[str, Any]], client_id: str) -> dict[str, Any] | None:
    """The policy that names exactly this client, as this controller writes them."""
    for policy in policies:
        clients = ((policy.get("conditions") or {}).get("clients") or {}).get("include")
        if clients == [client_id]:
            return policy
    return None


def observed(
    app: dict[str, Any], rule: dict[str, Any] | None, record: ClientRecord
) -> ObservedClient:
    """The client in the engine's terms. Scopes and lifetime come from the client's policy
    rule (none without one); an app that is not ACTIVE can use no grant at all."""
    settings = (app.get("settings") or {}).get("oauthClient") or {}
    grants = tuple(sorted(settings.get("grant_types") or ()))
    if app.get("status", "ACTIVE") != "ACTIVE":
        grants = ()
    scopes: tuple[str, ...] = ()
    lifetime: timedelta | None = None
    if rule is not None:
        scopes, minutes = _rule_terms(rule)[1:]
        lifetime = timedelta(minutes=minutes) if isinstance(minutes, int) else None
    return ObservedClient(
        client_id=record.client_id,
        name=str(app.get("label", "")),
        scopes=scopes,
        grant_types=grants,
        token_lifetime=lifetime,
        record=record,
        client_secret=client_secret_of(app),
    )


def _rule_terms(rule: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], object]:
    conditions = rule.get("conditions") or {}
    grants = tuple(sorted((conditions.get("grantTypes") or {}).get("include") or ()))
    scopes = tuple(sorted((conditions.get("scopes") or {}).get("include") or ()))
    if rule.get("status", "ACTIVE") != "ACTIVE":
        grants, scopes = (), ()
    token = (rule.get("actions") or {}).get("token") or {}
    return grants, scopes, token.get("accessTokenLifetimeMinutes")


def _minutes(lifetime: timedelta) -> int:
    return max(5, int(lifetime.total_seconds() // 60))


def secret_info(entry: dict[str, Any]) -> ClientSecretInfo:
    """One of an app's client secrets, without its value."""
    return ClientSecretInfo(str(entry["id"]), datetime.fromisoformat(str(entry["created"])))


def adoptable(app: dict[str, Any], name: str) -> bool:
    """Whether ``app`` is an OIDC app with this label whose client id is its app id."""
    return (
        app.get("label") == name
        and app.get("signOnMode") == "OPENID_CONNECT"
        and client_id_of(app) in (None, app.get("id"))
    )


def newest_active_secret(listed: list[dict[str, Any]]) -> str | None:
    active = [
        entry
        for entry in listed
        if entry.get("status", "ACTIVE") == "ACTIVE" and entry.get("client_secret")
    ]
    if not active:
        return None
    newest = max(active, key=lambda entry: (str(entry.get("created", "")), str(entry["id"])))
    return str(newest["client_secret"])
