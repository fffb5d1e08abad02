"""IAM roles: read in one batch per cycle, written one call at a time.

GetAccountAuthorizationDetails returns every role with its trust policy, tags, inline and
attached policies in pages of up to 1,000, so observing N roles costs N/1000 calls instead
of four calls per role (c7n reads IAM the same way).

IAM is eventually consistent: a role created moments ago (by us in an earlier cycle, or by
someone else) may be missing from that batch read for seconds. A CreateRole that answers
``EntityAlreadyExists`` is therefore not an error: :meth:`Iam.role` reads that one role
and it is folded into the batch read, to be converged as found.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from controller.aws._clients import AwsClients
from controller.aws._errors import AwsError, AwsNotFound, call, translate

DEFAULT_ROLE_PATH = "/"
ALREADY_EXISTS = "EntityAlreadyExists"


def _document(raw: Any) -> dict[str, Any]:
    """IAM returns policy documents URL-encoded in some APIs and decoded in others."""
    if isinstance(raw, dict):
        return raw
    text = unquote(raw)
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def _boundary(role: dict[str, Any]) -> str | None:
    """The boundary policy's ARN of a GetRole or GetAccountAuthorizationDetails role."""
    boundary: str | None = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    return boundary


@dataclass(frozen=True)
class ObservedRole:
    name: str
    arn: str
    trust_policy: dict[str, Any]
    tags: dict[str, str]
    managed_policy_arns: list[str]
    inline_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: str = DEFAULT_ROLE_PATH
    permissions_boundary_arn: str | None = None


class RoleExists(AwsError):
    """CreateRole found a role of that name already (IAM names are unique per account,
    whatever the path); ``role`` is that role as read now, also folded into the batch read."""

    def __init__(self, role: ObservedRole) -> None:
        super().__init__("CreateRole", ALREADY_EXISTS, f"role {role.name} already exists")
        self.role = role


class Iam:
    def __init__(self, aws: AwsClients) -> None:
        self._client = aws.client("iam")
        self._roles: dict[str, ObservedRole] | None = None
        self._reading = asyncio.Lock()  # concurrent reconciles share one batch read
        # Names written, read alone or forgotten while :meth:`renew` reads: the batch it
        # swaps in may predate them, so for these the batch read before wins.
        self._touched: set[str] | None = None

    def invalidate(self) -> None:
        """Forget what was read: the next :meth:`roles` reads IAM afresh."""
        self._roles = None

    def forget(self, names: Iterable[str]) -> None:
        """Forget these roles alone (a change event named them): the next :meth:`find`
        reads each by itself, and the rest of the batch read stays."""
        for name in names:
            self._put(name, None)

    def _put(self, name: str, role: ObservedRole | None) -> None:
        """Fold one role (None: forget it) into the batch read."""
        if self._touched is not None:
            self._touched.add(name)
        if self._roles is None:
            return
        if role is None:
            self._roles.pop(name, None)
        else:
            self._roles[name] = role

    def _remember(self, name: str, **changes: Any) -> None:
        """Fold our own write into the batch read instead of reading all roles again."""
        if self._roles is not None and name in self._roles:
            self._put(name, replace(self._roles[name], **changes))

    async def roles(self) -> dict[str, ObservedRole]:
        """Every role of the account, from one batch read per cycle."""
        if self._roles is not None:
            return self._roles
        async with self._reading:
            if self._roles is None:
                self._roles = await self._read_roles()
            return self._roles

    async def renew(self) -> dict[str, ObservedRole]:
        """Read every role afresh, while :meth:`find` goes on answering from the batch
        read before: GetAccountAuthorizationDetails takes seconds at a few thousand roles,
        and a change event's reconcile must not wait for it."""
        async with self._reading:
            self._touched = set()
            try:
                fresh = await self._read_roles()
            finally:
                touched, self._touched = self._touched, None
            before = self._roles or {}
            for name in touched:
                if name in before:
                    fresh[name] = before[name]
                else:
                    fresh.pop(name, None)
            self._roles = fresh
            return fresh

    async def _read_roles(self) -> dict[str, ObservedRole]:
        roles: dict[str, ObservedRole] = {}
        try:
            paginator = self._client.get_paginator("get_account_authorization_details")
            async for page in paginator.paginate(
                Filter=["Role"], PaginationConfig={"PageSize": 1000}
            ):
                for detail in page.get("RoleDetailList", []):
                    role = ObservedRole(
                        name=detail["RoleName"],
                        arn=detail["Arn"],
                        trust_policy=_document(detail.get("AssumeRolePolicyDocument") or "{}"),
                        tags={t["Key"]: t["Value"] for t in detail.get("Tags", [])},
                        managed_policy_arns=sorted(
                            p["PolicyArn"] for p in detail.get("AttachedManagedPolicies", [])
                        ),
                        inline_policies={
                            p["PolicyName"]: _document(p["PolicyDocument"])
                            for p in detail.get("RolePolicyList", [])
                        },
                        path=detail.get("Path", DEFAULT_ROLE_PATH),
                        permissions_boundary_arn=_boundary(detail),
                    )
                    roles[role.name] = role
        except Exception as exc:
            raise translate("GetAccountAuthorizationDetails", exc) from exc
        return roles

    async def find(self, name: str) -> ObservedRole | None:
        """A role by name: from the batch read, else asked of IAM directly, since the batch
        read may not list a role created seconds ago (IAM is eventually consistent)."""
        return (await self.roles()).get(name) or await self.role(name)

    async def role(self, name: str) -> ObservedRole | None:
        """One role read directly (GetRole and its policies), bypassing the batch read's lag;
        folded into the batch read when there is one. None when IAM has no such role."""
        try:
            found = (await call(self._client, "GetRole", RoleName=name))["Role"]
            attached = await self._pages(
                "list_attached_role_policies", "ListAttachedRolePolicies", name
            )
            policy_names = await self._pages("list_role_policies", "ListRolePolicies", name)
            inline: dict[str, dict[str, Any]] = {}
            for policy_name in policy_names.get("PolicyNames", []):
                response = await call(
                    self._client, "GetRolePolicy", RoleName=name, PolicyName=policy_name
                )
                inline[policy_name] = _document(response["PolicyDocument"])
        except AwsNotFound:
            return None
        tags = found.get("Tags")
        if tags is None:
            tags = (await self._pages("list_role_tags", "ListRoleTags", name)).get("Tags", [])
        role = ObservedRole(
            name=found["RoleName"],
            arn=found["Arn"],
            trust_policy=_document(found.get("AssumeRolePolicyDocument") or "{}"),
            tags={t["Key"]: t["Value"] for t in tags},
            managed_policy_arns=sorted(
                p["PolicyArn"] for p in attached.get("AttachedPolicies", [])
            ),
            inline_policies=inline,
            path=found.get("Path", DEFAULT_ROLE_PATH),
            permissions_boundary_arn=_boundary(found),
        )
        self._put(name, role)
        return role

    async def _pages(self, method: str, operation: str, name: str) -> dict[str, list[Any]]:
        """Every page of a per-role listing, the lists joined."""
        merged: dict[str, list[Any]] = {}
        try:
            paginator = self._client.get_paginator(method)
            async for page in paginator.paginate(RoleName=name):
                for key, value in page.items():
                    if isinstance(value, list):
                        merged.setdefault(key, []).extend(value)
        except Exception as exc:
            raise translate(operation, exc) from exc
        return merged

    async def create_role(
        self,
        name: str,
        trust_policy: dict[str, Any],
        tags: dict[str, str],
        description: str,
        path: str = DEFAULT_ROLE_PATH,
        permissions_boundary: str | None = None,
    ) -> str:
        """The new role's ARN. Raises :class:`RoleExists` (with the role read afresh) when
        the name is taken, though the batch read did not show it.

        The boundary is set in the same call, never after: a role never exists unbounded,
        and a policy may require ``iam:PermissionsBoundary`` on CreateRole itself.
        """
        bounded = {"PermissionsBoundary": permissions_boundary} if permissions_boundary else {}
        try:
            response = await call(
                self._client,
                "CreateRole",
                RoleName=name,
                Path=path,
                AssumeRolePolicyDocument=json.dumps(trust_policy),
                Description=description,
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
                **bounded,
            )
        except AwsError as exc:
            if exc.code != ALREADY_EXISTS:
                raise
            found = await self.role(name)
            if found is None:  # deleted again in between: let the next cycle decide
                raise
            raise RoleExists(found) from exc
        arn: str = response["Role"]["Arn"]
        self._put(
            name,
            ObservedRole(
                name,
                arn,
                trust_policy,
                dict(tags),
                [],
                path=path,
                permissions_boundary_arn=permissions_boundary,
            ),
        )
        return arn

    async def put_boundary(self, name: str, policy_arn: str) -> None:
        """Set (or replace) the role's permissions boundary. There is deliberately no way
        to remove one: a boundary someone set stays, whatever the settings say."""
        await call(
            self._client,
            "PutRolePermissionsBoundary",
            RoleName=name,
            PermissionsBoundary=policy_arn,
        )
        self._remember(name, permissions_boundary_arn=policy_arn)

    async def update_trust(self, name: str, trust_policy: dict[str, Any]) -> None:
        await call(
            self._client,
            "UpdateAssumeRolePolicy",
            RoleName=name,
            PolicyDocument=json.dumps(trust_policy),
        )
        self._remember(name, trust_policy=trust_policy)

    async def tag(self, name: str, tags: dict[str, str]) -> None:
        await call(
            self._client,
            "TagRole",
            RoleName=name,
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
        if self._roles is not None and name in self._roles:
            self._remember(name, tags={**self._roles[name].tags, **tags})

    async def set_managed_policies(self, name: str, current: list[str], wanted: list[str]) -> None:
        for arn in sorted(set(wanted) - set(current)):
            await call(self._client, "AttachRolePolicy", RoleName=name, PolicyArn=arn)
        for arn in sorted(set(current) - set(wanted)):
            await call(self._client, "DetachRolePolicy", RoleName=name, PolicyArn=arn)
        self._remember(name, managed_policy_arns=sorted(wanted))

    async def put_inline_policy(
        self, name: str, policy_name: str, document: dict[str, Any]
    ) -> None:
        await call(
            self._client,
            "PutRolePolicy",
            RoleName=name,
            PolicyName=policy_name,
            PolicyDocument=json.dumps(document),
        )
        if self._roles is not None and name in self._roles:
            inline = {**self._roles[name].inline_policies, policy_name: document}
            self._remember(name, inline_policies=inline)

    async def delete_inline_policy(self, name: str, policy_name: str) -> None:
        """Remove one inline policy; one already gone counts as removed."""
        with contextlib.suppress(AwsNotFound):
            await call(self._client, "DeleteRolePolicy", RoleName=name, PolicyName=policy_name)
        if self._roles is not None and name in self._roles:
            inline = dict(self._roles[name].inline_policies)
            inline.pop(policy_name, None)
            self._remember(name, inline_policies=inline)

    async def delete_role(self, role: ObservedRole) -> None:
        """IAM refuses to delete a role that still has policies: remove them first."""
        for arn in role.managed_policy_arns:
            await call(self._client, "DetachRolePolicy", RoleName=role.name, PolicyArn=arn)
        for policy_name in role.inline_policies:
            await call(self._client, "DeleteRolePolicy", RoleName=role.name, PolicyName=policy_name)
        await call(self._client, "DeleteRole", RoleName=role.name)
        self._put(role.name, None)
