"""The sandbox's working copy of a desired state: the same objects, local identity providers.

The examples (and any real desired state) point at a real user pool and real issuers. The
sandbox copies the files into a folder of its own and rewrites only the IdentityProvider
documents: a Cognito provider gets the user pool the sandbox seeded and the Cognito-like
token endpoint beside moto; an OIDC provider gets the local authorization server, its
initial access token read from an environment variable the sandbox sets; an Okta provider
gets a local org of its own, authorised by an API token from a variable the sandbox sets
(a service app's private key has no local counterpart). Everything else is copied byte for
byte, so what runs is what the teams wrote.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from controller.desired import DesiredState

DCR_TOKEN_VARIABLE = "ECS_OAUTH_SANDBOX_DCR_TOKEN"
"""Where an OIDC provider whose initial access token lives in Secrets Manager finds the
local server's token instead."""
OKTA_TOKEN_VARIABLE = "ECS_OAUTH_SANDBOX_OKTA_TOKEN"
"""Where an Okta provider authorised otherwise than by an API token from a variable finds
the local org's API token instead."""

_HEADER = (
    "# Working copy made by `ecs-oauth sandbox` from {source}:\n"
    "# IdentityProvider endpoints point at the sandbox's local servers.\n"
)


@dataclass(frozen=True)
class LocalIdentity:
    """Where the sandbox's identity providers answer."""

    aws_url: str
    user_pool_ids: Mapping[str, str]
    """Cognito provider name -> the user pool seeded for it."""
    issuer: str
    okta_orgs: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Okta provider name -> its local org's URL and authorization server id."""


def cognito_token_endpoint(aws_url: str, user_pool_id: str) -> str:
    """The Cognito-like token endpoint the sandbox's moto serves for one user pool."""
    return f"{aws_url}/__cognito/{user_pool_id}/oauth2/token"


def local_provider(document: Mapping[str, Any], local: LocalIdentity) -> dict[str, Any]:
    """An IdentityProvider document pointed at the sandbox; any other document unchanged."""
    if document.get("kind") != "IdentityProvider":
        return dict(document)
    spec = dict(document["spec"])
    name = document["metadata"]["name"]
    if "cognito" in spec:
        pool = local.user_pool_ids[name]
        spec["cognito"] = {
            **spec["cognito"],
            "userPoolId": pool,
            "tokenEndpoint": cognito_token_endpoint(local.aws_url, pool),
        }
    if "oidc" in spec:
        token = spec["oidc"].get("initialAccessToken") or {}
        spec["oidc"] = {
            **spec["oidc"],
            "issuer": local.issuer,
            "initialAccessToken": {"fromEnv": token.get("fromEnv") or DCR_TOKEN_VARIABLE},
        }
    if "okta" in spec:
        org_url, server_id = local.okta_orgs[name]
        token = spec["okta"].get("apiToken") or {}
        spec["okta"] = {
            "orgUrl": org_url,
            "authorizationServerId": server_id,
            "apiToken": {"fromEnv": token.get("fromEnv") or OKTA_TOKEN_VARIABLE},
        }
    return {**document, "spec": spec}


def token_variables(state: DesiredState) -> set[str]:
    """The variables the working copy's OIDC providers read their initial access token from."""
    names = set()
    for provider in state.providers.values():
        oidc = provider.spec.oidc
        if oidc is not None:
            names.add(oidc.initial_access_token.from_env or DCR_TOKEN_VARIABLE)
    return names


def okta_token_variables(state: DesiredState) -> set[str]:
    """The variables the working copy's Okta providers read their API token from."""
    names = set()
    for provider in state.providers.values():
        okta = provider.spec.okta
        if okta is not None:
            from_env = okta.api_token.from_env if okta.api_token is not None else None
            names.add(from_env or OKTA_TOKEN_VARIABLE)
    return names


def write_working_copy(
    source: Path, state: DesiredState, local: LocalIdentity, target: Path
) -> Path:
    """Copy ``source`` (a file or a folder) to ``target`` with local identity providers.

    ``state`` is ``source`` loaded, so only files known to hold an IdentityProvider are
    parsed and written back; returns the path to run the daemon on.
    """
    with_providers = {
        Path(placed.document.file).resolve()
        for placed in state.sources.values()
        if placed.obj.kind == "IdentityProvider"
    }
    if source.is_file():
        destination = target / source.name
        _copy(source, destination, with_providers, local)
        return destination
    for file in sorted(p for p in source.rglob("*") if p.is_file()):
        _copy(file, target / file.relative_to(source), with_providers, local)
    return target


def _copy(file: Path, destination: Path, rewrite: set[Path], local: LocalIdentity) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    if file.resolve() not in rewrite:
        shutil.copyfile(file, destination)
        return
    documents = [
        local_provider(document, local)
        for document in yaml.safe_load_all(file.read_text(encoding="utf-8"))
        if document is not None
    ]
    body = yaml.safe_dump_all(documents, sort_keys=False, default_flow_style=False)
    destination.write_text(_HEADER.format(source=file) + body, encoding="utf-8")
