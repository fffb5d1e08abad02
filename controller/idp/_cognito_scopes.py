"""Cognito resource servers: where the scopes a Cognito app client may hold are defined.

A pool's resource server may also serve scopes somebody else declared, so the
controller only ever adds or corrects the scopes it declares and leaves the rest
alone. UpdateResourceServer, like UpdateUserPoolClient, replaces the whole server,
so every update is the scopes just read plus ours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from controller.aws import AwsClients
from controller.idp._cognito import call_cognito
from controller.idp._types import IdpNotFound

LIST_PAGE = 50
NAME_LIMIT = 256
# Characters outside Cognito's ResourceServer Name pattern [\w\s+=,.@-]+.
_NOT_IN_NAME = re.compile(r"[^\w\s+=,.@-]", re.ASCII)


def resource_server_name(identifier: str) -> str:
    """A Name Cognito accepts for the server ``identifier`` (which may be a URL, such as
    ``https://api.example.com``, whose ``:`` and ``/`` the Name may not hold): every
    other character becomes ``-``, cut to 256 characters."""
    name = _NOT_IN_NAME.sub("-", identifier)[:NAME_LIMIT]
    return name or "-"


def scope_map(resource_server: Mapping[str, Any]) -> dict[str, str]:
    """``{scope name: description}`` of a ResourceServerType."""
    return {
        scope["ScopeName"]: scope["ScopeDescription"]
        for scope in resource_server.get("Scopes") or ()
    }


def scope_list(scopes: Mapping[str, str]) -> list[dict[str, str]]:
    """The wire form, sorted so that requests are reproducible."""
    return [
        {"ScopeName": name, "ScopeDescription": description}
        for name, description in sorted(scopes.items())
    ]


def merged_scopes(current: Mapping[str, str], declared: Mapping[str, str]) -> dict[str, str]:
    """The current scopes with the declared ones added or corrected. Cognito requires a
    description, so a declared scope without one is described by its name."""
    return {**current, **{name: description or name for name, description in declared.items()}}


class CognitoResourceServers:
    """The resource servers of one user pool."""

    def __init__(self, user_pool_id: str, aws: AwsClients) -> None:
        self._pool = user_pool_id
        self._aws = aws

    async def list(self) -> dict[str, dict[str, str]]:
        """``{identifier: {scope name: description}}`` for every resource server."""
        servers: dict[str, dict[str, str]] = {}
        page: dict[str, Any] = {"MaxResults": LIST_PAGE}
        while True:
            response = await call_cognito(self._aws, self._pool, "ListResourceServers", **page)
            for server in response.get("ResourceServers", []):
                servers[server["Identifier"]] = scope_map(server)
            if not response.get("NextToken"):
                return servers
            page["NextToken"] = response["NextToken"]

    async def ensure(self, identifier: str, scopes: Mapping[str, str]) -> bool:
        """Make ``identifier`` define at least ``scopes``; whether anything was written.

        A missing server is created named after its identifier (:func:`resource_server_name`).
        """
        try:
            response = await call_cognito(
                self._aws, self._pool, "DescribeResourceServer", Identifier=identifier
            )
        except IdpNotFound:
            await call_cognito(
                self._aws,
                self._pool,
                "CreateResourceServer",
                Identifier=identifier,
                Name=resource_server_name(identifier),
                Scopes=scope_list(merged_scopes({}, scopes)),
            )
            return True
        server = response["ResourceServer"]
        current = scope_map(server)
        wanted = merged_scopes(current, scopes)
        if wanted == current:
            return False
        await call_cognito(
            self._aws,
            self._pool,
            "UpdateResourceServer",
            Identifier=identifier,
            Name=server["Name"],
            Scopes=scope_list(wanted),
        )
        return True
