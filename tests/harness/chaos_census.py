"""What a chaos run left behind: clients and secrets counted against the desired state.

Counted from the peers' own stores, never from the controller's view of them:

- **duplicates**: more than one Cognito client of a name, which faults must never cause
  (an RFC 7591 client beyond the one recorded is an orphan or a lost answer, below);
- **orphans**: a Cognito client named like ours that no secret records, a registration
  whose handles are kept but which no task secret uses, a secret no desired Service owns;
- **lost credentials**: a Service whose secret does not get a token (client credentials
  grant with exactly what the task would read);
- **unconverged**: a Service with no secret, or one still holding the pending marker;
- **lost registration answers**: RFC 7591 clients named like ours that no secret names.
  Nothing can list them, so no controller can find them again: the one window README's
  "Creating safely" documents. Reported apart, and checked against the faults that can
  cause them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from controller.sandbox.authserver import RunningAuthorizationServer
from tests.harness.moto import MotoPeer

PREFIX = "ecs-oauth/"
CLIENT_PREFIX = "ecs-oauth-"
REGISTRATION_SUFFIX = "/registration"
PENDING = "pending_client"


@dataclass
class Census:
    duplicates: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    lost_credentials: list[str] = field(default_factory=list)
    unconverged: list[str] = field(default_factory=list)
    lost_registration_answers: list[str] = field(default_factory=list)
    lost_registration_times: list[int] = field(default_factory=list)  # client_id_issued_at

    @property
    def clean(self) -> bool:
        return not (self.duplicates or self.orphans or self.lost_credentials or self.unconverged)

    def figures(self) -> dict[str, int]:
        return {
            "duplicates": len(self.duplicates),
            "orphans": len(self.orphans),
            "lost_credentials": len(self.lost_credentials),
            "unconverged": len(self.unconverged),
            "lost_registration_answers": len(self.lost_registration_answers),
        }


@dataclass(frozen=True)
class Stores:
    """Everything the census reads, read once."""

    secrets: dict[str, dict[str, Any]]  # name -> AWSCURRENT value
    cognito: list[dict[str, Any]]  # ClientId, ClientName
    oidc: list[dict[str, Any]]  # client_id, client_name, ...


def read_stores(
    moto: MotoPeer, authserver: RunningAuthorizationServer, user_pool_id: str
) -> Stores:
    moto.strict(rules={"secrets-list-lag": False})  # the census must see every secret
    try:
        names = _secret_names(moto)
    finally:
        moto.strict_defaults()
    manager = moto.boto3_client("secretsmanager")
    secrets = {}
    for name in names:
        answer = manager.get_secret_value(SecretId=name, VersionStage="AWSCURRENT")
        secrets[name] = json.loads(answer["SecretString"])
    return Stores(secrets, _cognito_clients(moto, user_pool_id), authserver.clients())


def _secret_names(moto: MotoPeer) -> list[str]:
    manager = moto.boto3_client("secretsmanager")
    names: list[str] = []
    page: dict[str, Any] = {"Filters": [{"Key": "name", "Values": [PREFIX]}], "MaxResults": 100}
    while True:
        answer = manager.list_secrets(**page)
        names.extend(s["Name"] for s in answer["SecretList"] if s["Name"].startswith(PREFIX))
        if not answer.get("NextToken"):
            return names
        page["NextToken"] = answer["NextToken"]


def _cognito_clients(moto: MotoPeer, user_pool_id: str) -> list[dict[str, Any]]:
    cognito = moto.boto3_client("cognito-idp")
    clients: list[dict[str, Any]] = []
    page: dict[str, Any] = {"UserPoolId": user_pool_id, "MaxResults": 60}
    while True:
        answer = cognito.list_user_pool_clients(**page)
        clients.extend(answer["UserPoolClients"])
        if not answer.get("NextToken"):
            return clients
        page["NextToken"] = answer["NextToken"]


def take_census(stores: Stores, services: dict[str, str]) -> Census:
    """``services``: each desired Service's provider kind, ``cognito`` or ``oidc``."""
    census = Census()
    recorded: dict[str, str] = {}  # client id -> service
    handles: dict[str, str] = {}
    for name, value in stores.secrets.items():
        service = name[len(PREFIX) :].removesuffix(REGISTRATION_SUFFIX)
        if service not in services:
            census.orphans.append(f"secret {name}: no desired Service owns it")
        elif name.endswith(REGISTRATION_SUFFIX):
            handles.update(dict.fromkeys(value.get("clients", {}), service))
        elif isinstance(value.get("client_id"), str):
            recorded[value["client_id"]] = service
    for service in sorted(services):
        value = stores.secrets.get(PREFIX + service)
        if value is None or PENDING in value or not value.get("client_id"):
            census.unconverged.append(f"Service/{service}: no completed secret")
        elif not token_granted(value):
            census.lost_credentials.append(f"Service/{service}: its secret gets no token")
    _count_cognito(stores.cognito, recorded, census)
    _count_oidc(stores.oidc, recorded, handles, census)
    return census


def _count_cognito(clients: list[dict[str, Any]], recorded: dict[str, str], census: Census) -> None:
    ours = [c for c in clients if str(c["ClientName"]).startswith(CLIENT_PREFIX)]
    for name, count in Counter(c["ClientName"] for c in ours).items():
        if count > 1:
            census.duplicates.append(f"{count} Cognito clients named {name}")
    for client in ours:
        if client["ClientId"] not in recorded:
            census.orphans.append(f"Cognito client {client['ClientName']}: no secret records it")


def _count_oidc(
    clients: list[dict[str, Any]], recorded: dict[str, str], handles: dict[str, str], census: Census
) -> None:
    for client in clients:
        name = str(client.get("client_name", ""))
        if not name.startswith(CLIENT_PREFIX):
            continue
        client_id = client["client_id"]
        if client_id in recorded:
            continue
        if client_id in handles:
            census.orphans.append(f"registration {name} ({client_id}): kept but unused")
        else:
            census.lost_registration_answers.append(f"registration {name} ({client_id})")
            census.lost_registration_times.append(int(client.get("client_id_issued_at", 0)))


def token_granted(value: dict[str, Any]) -> bool:
    """A client-credentials token for exactly what the task would read from its secret."""
    form = {"grant_type": "client_credentials"}
    if value.get("scope"):
        form["scope"] = str(value["scope"])
    try:
        answer = httpx.post(
            str(value["token_endpoint"]),
            data=form,
            auth=(str(value["client_id"]), str(value["client_secret"])),
            timeout=10,
        )
    except (httpx.HTTPError, KeyError):
        return False
    return answer.status_code == 200 and "access_token" in answer.json()
