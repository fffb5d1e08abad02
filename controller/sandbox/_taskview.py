"""A task's view: what an ECS task of a Service gets, and the token it obtains with it.

The sandbox shows that the chain works end to end, the way ECS and the application would
walk it: take the task definition a new task would start from (the ECS service's, or the
family's latest ACTIVE revision), resolve the container's ``secrets`` through Secrets
Manager by JSON key at ``AWSCURRENT`` (as the ECS agent does with the execution role),
hand that environment to the token client an application imports, and check the access
token's signature against the issuer's published keys. What it shows is
the client id, the granted scopes and the expiry; never the secret or the token itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from ecs_oauth_client import TokenClient, TokenError, granted_scopes
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from controller.desired import Service, format_duration
from controller.sandbox._seed import ClientFactory

# arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME, then :json-key:version-stage:version-id
_SECRET_ARN_PARTS = 7
_TIMEOUT = aiohttp.ClientTimeout(total=10)


class TaskViewError(Exception):
    """The chain a task depends on is broken somewhere; the message says where."""


@dataclass(frozen=True)
class TaskView:
    service: str
    client_id: str
    token_endpoint: str
    issuer: str
    scopes: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime


def current_task_definition(client: ClientFactory, service: Service) -> dict[str, Any]:
    """``DescribeTaskDefinition`` (with tags) of the revision a new task would start from."""
    ecs = client("ecs")
    spec = service.spec
    definition_arn = None
    if spec.service:
        running = ecs.describe_services(cluster=spec.cluster, services=[spec.service])["services"]
        definition_arn = running[0].get("taskDefinition") if running else None
    if definition_arn is None:
        arns = ecs.list_task_definitions(familyPrefix=spec.task_definition.family, status="ACTIVE")[
            "taskDefinitionArns"
        ]
        if not arns:
            raise TaskViewError(f"task definition family {spec.task_definition.family} is empty")
        definition_arn = max(arns, key=lambda arn: int(arn.rsplit(":", 1)[1]))
    described: dict[str, Any] = ecs.describe_task_definition(
        taskDefinition=definition_arn, include=["TAGS"]
    )
    return described


def task_environment(client: ClientFactory, service: Service) -> dict[str, str]:
    """The named container's environment as a new task of ``service`` would see it."""
    definition = current_task_definition(client, service)["taskDefinition"]
    name = service.spec.task_definition.container
    containers = [c for c in definition["containerDefinitions"] if c["name"] == name]
    if not containers:
        raise TaskViewError(f"{definition['taskDefinitionArn']} has no container {name}")
    secrets = client("secretsmanager")
    env = {entry["name"]: entry["value"] for entry in containers[0].get("environment", [])}
    for entry in containers[0].get("secrets", []):
        env[entry["name"]] = _resolve(secrets, entry["valueFrom"])
    return env


def _resolve(secrets: Any, value_from: str) -> str:
    """What ECS puts into a container variable for one ``secrets`` entry."""
    parts = value_from.split(":")
    key, stage, version = [*parts[_SECRET_ARN_PARTS:], "", "", ""][:3]
    request: dict[str, Any] = {
        "SecretId": ":".join(parts[:_SECRET_ARN_PARTS]),
        "VersionStage": stage or "AWSCURRENT",
    }
    if version:
        request["VersionId"] = version
    value = str(secrets.get_secret_value(**request)["SecretString"])
    if not key:
        return value
    fields = json.loads(value)
    if key not in fields:
        raise TaskViewError(f"{request['SecretId']} holds no {key}")
    return str(fields[key])


async def verified_claims(
    access_token: str, token_endpoint: str, http: aiohttp.ClientSession
) -> dict[str, Any]:
    """The token's claims once its signature checks out against the JWKS of an issuer
    whose discovery document names ``token_endpoint``."""
    # The issuer is read unverified only to know whose keys to verify with.
    issuer = json.loads(jws.extract_compact(access_token.encode()).payload).get("iss")
    if not isinstance(issuer, str):
        raise TaskViewError("the access token names no issuer")
    discovery = await _get_json(http, f"{issuer}/.well-known/openid-configuration")
    if discovery.get("token_endpoint") != token_endpoint:
        raise TaskViewError(f"the token names issuer {issuer}, which does not serve that endpoint")
    published: Any = await _get_json(http, str(discovery["jwks_uri"]))
    try:
        claims: dict[str, Any] = jwt.decode(access_token, KeySet.import_key_set(published)).claims
        jwt.JWTClaimsRegistry(exp={"essential": True}, iat={"essential": True}).validate(claims)
    except JoseError as exc:
        raise TaskViewError(
            f"the token from {issuer} does not check out ({type(exc).__name__})"
        ) from None
    return claims


async def _get_json(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with http.get(url, timeout=_TIMEOUT) as response:
        if response.status != 200:
            raise TaskViewError(f"{url} answered {response.status}")
        document: dict[str, Any] = await response.json(content_type=None)
    return document


async def task_view(env: dict[str, str], service: str, http: aiohttp.ClientSession) -> TaskView:
    """Obtain a token with a task's environment and keep only what may be shown."""
    try:
        client = TokenClient.from_env(env)
        token = await client.token()
    except TokenError as exc:
        raise TaskViewError(str(exc)) from exc
    claims = await verified_claims(token.access_token, client.config.token_endpoint, http)
    return TaskView(
        service=service,
        client_id=client.config.client_id,
        token_endpoint=client.config.token_endpoint,
        issuer=str(claims["iss"]),
        scopes=tuple(sorted(granted_scopes(claims) or ())),
        issued_at=datetime.fromtimestamp(int(claims["iat"]), UTC),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )


def render_task_view(view: TaskView, now: datetime) -> list[str]:
    """A few readable lines; the secret and the token never appear."""
    left = max(view.expires_at - now, timedelta(0))
    lifetime = view.expires_at - view.issued_at
    return [
        f"Service/{view.service}",
        f"  client   {view.client_id} (secret injected by ECS from Secrets Manager)",
        f"  token    from {view.token_endpoint}",
        f"  issuer   {view.issuer} (signature checked against its JWKS)",
        f"  scopes   {' '.join(view.scopes) or '(none)'}",
        f"  expires  {view.expires_at:%H:%M:%S} UTC, in {format_duration(left)}"
        f" (lifetime {format_duration(lifetime)})",
    ]
