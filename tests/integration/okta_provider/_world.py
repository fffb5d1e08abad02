"""An Okta provider and one Service on it, over a seeded AWS world: the desired state,
and the task's view of the credential (read from Secrets Manager, as ECS injects it)."""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.harness.moto import MotoPeer
from tests.harness.world import SeededWorld, seed_world
from tests.integration.converge.conftest import Cli
from tests.peers.okta import RunningOkta

SERVICE = "orders-api"


def document(kind: str, name: str, spec: str) -> str:
    """One desired-state document; ``spec`` is its spec's YAML, unindented."""
    header = f"apiVersion: ecs-oauth.dev/v1alpha1\nkind: {kind}\nmetadata: {{name: {name}}}\n"
    return header + "spec:\n" + textwrap.indent(textwrap.dedent(spec), "  ")


def provider_document(okta: RunningOkta, name: str = "workforce") -> str:
    okta_spec = f"orgUrl: {okta.org_url}, authorizationServerId: {okta.org.server_id}"
    return document(
        "IdentityProvider", name, f"okta: {{{okta_spec}, apiToken: {{fromEnv: OKTA_API_TOKEN}}}}\n"
    )


def service_document(
    service: str, container: str = "app", grace: str = "1s", role: str = "orders-reader"
) -> str:
    spec = f"""\
        role: {role}
        cluster: prod
        service: {service}
        taskDefinition: {{family: {service}, container: {container}}}
        secret: {{gracePeriod: {grace}}}
        """
    return document("Service", service, spec)


def desired_state(folder: Path, okta: RunningOkta, grace: str = "1s") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    scopes_and_role = textwrap.dedent(
        """\
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: orders.read}
        spec: {provider: workforce, description: Read orders}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: orders.write}
        spec: {provider: workforce, description: Write orders}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-reader}
        spec: {scopes: [orders.read], tokenLifetime: 15m}
        """
    )
    documents = [provider_document(okta), scopes_and_role, service_document(SERVICE, grace=grace)]
    (folder / "okta.yaml").write_text("---\n".join(documents))
    return folder


@dataclass(frozen=True)
class OktaWorld:
    world: SeededWorld
    okta: RunningOkta
    cli: Cli

    def credentials(self, service: str = SERVICE) -> dict[str, Any]:
        response = self.world.client("secretsmanager").get_secret_value(
            SecretId=f"ecs-oauth/{service}", VersionStage="AWSCURRENT"
        )
        value: dict[str, Any] = json.loads(response["SecretString"])
        return value

    def secrets_held(self, client_id: str) -> list[tuple[str, str]]:
        """The app's client secrets as the org holds them: (status, value), oldest first."""
        with self.okta.org.lock:
            held = list(self.okta.org.secrets.get(client_id, []))
        return [(entry["status"], entry["client_secret"]) for entry in held]

    def token(self, scope: str) -> httpx.Response:
        """A token request as the task makes it, with what ECS injects."""
        held = self.credentials()
        return httpx.post(
            held["token_endpoint"],
            data={"grant_type": "client_credentials", "scope": scope},
            auth=(held["client_id"], held["client_secret"]),
        )


def okta_world_at(moto: MotoPeer, folder: Path, grace: str = "1s") -> OktaWorld:
    """A fresh local org and a freshly seeded AWS (the shared moto server is reset), the
    desired state written, nothing applied; stop its ``okta`` when done."""
    moto.reset()
    okta = RunningOkta()
    world = seed_world(moto)
    desired_state(folder, okta, grace)
    env = {**os.environ, **moto.aws_environment(), "OKTA_API_TOKEN": okta.org.api_token}
    return OktaWorld(world, okta, Cli(folder, env))
