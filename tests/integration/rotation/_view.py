"""The tests' own view of a rotation, read straight from the peers with boto3 and httpx:
never through the controller's adapters, whose reading is what is under test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from tests.harness.world import SeededWorld
from tests.integration.converge._live import describe_secret, secret_name

ROTATION_TAG_PREFIX = "ecs-oauth.dev/rotation-"
PHASE_TAG = "ecs-oauth.dev/rotation-phase"
ROTATED_AT = "ecs-oauth.dev/rotated-at"
RETIRING = "ecs-oauth-retiring"
TOKEN_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Credentials:
    """What a task holds: ECS injects client id and secret, the rest is plain environment."""

    client_id: str
    client_secret: str
    token_endpoint: str
    scope: str

    def __repr__(self) -> str:
        return f"Credentials(client_id={self.client_id!r})"


def credentials_at(world: SeededWorld, service: str, stage: str = "AWSCURRENT") -> Credentials:
    """The credentials a task starting now would get (AWSCURRENT, asked for by stage as ECS
    does), or those held at another stage."""
    response = world.client("secretsmanager").get_secret_value(
        SecretId=secret_name(service), VersionStage=stage
    )
    value: dict[str, Any] = json.loads(response["SecretString"])
    return Credentials(
        value["client_id"], value["client_secret"], value["token_endpoint"], value["scope"]
    )


def stages(world: SeededWorld, service: str) -> dict[str, list[str]]:
    """Version id -> staging labels, as DescribeSecret lists them."""
    found: dict[str, list[str]] = describe_secret(world, service)["VersionIdsToStages"]
    return {version: sorted(held) for version, held in found.items() if held}


def holders(world: SeededWorld, service: str, stage: str) -> list[str]:
    return [version for version, held in stages(world, service).items() if stage in held]


def rotation_tags(world: SeededWorld, service: str) -> dict[str, str]:
    tags = describe_secret(world, service).get("Tags", [])
    return {t["Key"]: t["Value"] for t in tags if t["Key"].startswith(ROTATION_TAG_PREFIX)}


def all_tags(world: SeededWorld, service: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in describe_secret(world, service).get("Tags", [])}


def cognito_secret_ids(world: SeededWorld, client_id: str) -> list[str]:
    listed = world.client("cognito-idp").list_user_pool_client_secrets(
        UserPoolId=world.user_pool_id, ClientId=client_id
    )
    return [entry["ClientSecretId"] for entry in listed["ClientSecrets"]]


def token_request(credentials: Credentials) -> dict[str, Any]:
    """The client-credentials grant as the task's application makes it."""
    return {
        "url": credentials.token_endpoint,
        "data": {"grant_type": "client_credentials", "scope": credentials.scope},
        "auth": (credentials.client_id, credentials.client_secret),
        "timeout": TOKEN_TIMEOUT_SECONDS,
    }


def token_status(credentials: Credentials) -> int:
    """200 when the credentials obtain a token, the endpoint's error status otherwise."""
    return httpx.post(**token_request(credentials)).status_code
