"""Secrets Manager: one batched listing per cycle; values read per version, never twice.

ListSecrets may lag behind by minutes (its API reference says so), so it serves discovery
and prune only; whether a secret exists and which version is AWSCURRENT comes from
DescribeSecret. A version's value never changes, so a value is cached by version id: a
repeated plan costs no GetSecretValue unless AWSCURRENT moved. Reads name the stage
explicitly, as ECS does (and as moto needs: a stage-less read can return a stale value).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from controller.aws._clients import AwsClients
from controller.aws._errors import AwsNotFound, call, translate

CURRENT = "AWSCURRENT"
PENDING = "AWSPENDING"
PREVIOUS = "AWSPREVIOUS"


@dataclass(frozen=True)
class ObservedSecret:
    name: str
    arn: str
    tags: dict[str, str]
    stages: dict[str, list[str]]  # version id -> stages
    deleted_date: datetime | None = None
    created_date: datetime | None = None
    # "The last date and time that this secret was modified in any way" (ListSecrets and
    # DescribeSecret both give it): the safety net's batch signal for the secret.
    last_changed_date: datetime | None = None

    def version(self, stage: str) -> str | None:
        return next((v for v, stages in self.stages.items() if stage in stages), None)


class Secrets:
    def __init__(self, aws: AwsClients) -> None:
        self._client = aws.client("secretsmanager")
        self._listing: dict[str, ObservedSecret] | None = None
        # Secrets described or written this cycle: current, unlike a listing that may lag.
        self._fresh: dict[str, ObservedSecret] = {}
        self._reading = asyncio.Lock()  # concurrent reconciles share one batch read
        self._values: dict[str, dict[str, Any]] = {}

    def invalidate(self) -> None:
        self._listing = None
        self._fresh = {}

    def _remember(self, secret: ObservedSecret) -> None:
        """Fold a describe or our own write into the batch listing, which it overrides even
        when the listing is read later in the cycle (ListSecrets lags by minutes)."""
        self._fresh[secret.name] = secret
        if self._listing is not None:
            self._listing[secret.name] = secret

    def _known(self, arn: str) -> ObservedSecret | None:
        known = {**(self._listing or {}), **self._fresh}
        return next((s for s in known.values() if s.arn == arn), None)

    async def listing(self, prefix: str) -> dict[str, ObservedSecret]:
        """Every secret whose name starts with ``prefix``, including those pending deletion."""
        if self._listing is not None:
            return self._listing
        async with self._reading:
            if self._listing is None:
                self._listing = await self._list(prefix)
            return self._listing

    async def renew(self, prefix: str) -> dict[str, ObservedSecret]:
        """List afresh while :meth:`listing` goes on answering from the listing before (a
        reconcile must not wait for a hundred pages); secrets described or written in the
        meantime override the new listing, as ever."""
        async with self._reading:
            self._fresh = {}
            self._listing = await self._list(prefix)
            return self._listing

    async def _list(self, prefix: str) -> dict[str, ObservedSecret]:
        found: dict[str, ObservedSecret] = {}
        try:
            paginator = self._client.get_paginator("list_secrets")
            pages = paginator.paginate(
                Filters=[{"Key": "name", "Values": [prefix]}],
                IncludePlannedDeletion=True,
                PaginationConfig={"PageSize": 100},
            )
            async for page in pages:
                for entry in page.get("SecretList", []):
                    if entry["Name"].startswith(prefix):
                        found[entry["Name"]] = _observed(
                            entry, entry.get("SecretVersionsToStages", {})
                        )
        except Exception as exc:
            raise translate("ListSecrets", exc) from exc
        return {**found, **self._fresh}

    async def describe(self, secret_id: str) -> ObservedSecret | None:
        """One secret read afresh (DescribeSecret), for a caller that must not act on a
        listing taken earlier in the cycle: the rotation's compare-and-swap steps."""
        try:
            entry = await call(self._client, "DescribeSecret", SecretId=secret_id)
        except AwsNotFound:
            return None
        secret = _observed(entry, entry.get("VersionIdsToStages", {}))
        self._remember(secret)
        return secret

    async def value(self, secret: ObservedSecret, stage: str = CURRENT) -> dict[str, Any] | None:
        """The JSON value at ``stage``; None when no version holds that stage.

        Read by stage alone (naming a version id too fails when the stage has moved since the
        secret was described) and cached by the version id the answer names.
        """
        version = secret.version(stage)
        if version is None:
            return None
        if version not in self._values:
            try:
                response = await call(
                    self._client, "GetSecretValue", SecretId=secret.arn, VersionStage=stage
                )
            except AwsNotFound:
                return None
            self._values[response["VersionId"]] = json.loads(response["SecretString"])
            version = response["VersionId"]
        return dict(self._values[version])

    async def create(
        self,
        name: str,
        value: dict[str, Any],
        tags: dict[str, str],
        token: str,
        description: str = "OAuth client credentials managed by ecs-oauth",
    ) -> str:
        response = await call(
            self._client,
            "CreateSecret",
            Name=name,
            SecretString=json.dumps(value),
            ClientRequestToken=token,
            Description=description,
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
        arn: str = response["ARN"]
        self._values[response["VersionId"]] = dict(value)
        self._remember(ObservedSecret(name, arn, dict(tags), {response["VersionId"]: [CURRENT]}))
        return arn

    async def put(
        self, arn: str, value: dict[str, Any], token: str, stages: list[str] | None = None
    ) -> str:
        """A new version; ``token`` makes a retried write a no-op instead of a duplicate."""
        kwargs: dict[str, Any] = {
            "SecretId": arn,
            "SecretString": json.dumps(value),
            "ClientRequestToken": token,
        }
        if stages is not None:
            kwargs["VersionStages"] = stages
        response = await call(self._client, "PutSecretValue", **kwargs)
        version: str = response["VersionId"]
        self._values[version] = dict(value)
        known = self._known(arn)
        if known is not None:
            self._remember(
                replace(known, stages=_staged(known.stages, version, stages or [CURRENT]))
            )
        return version

    async def move_stage(
        self, arn: str, stage: str, to_version: str, from_version: str | None
    ) -> None:
        """Compare-and-swap: fails when ``from_version`` no longer holds the stage."""
        kwargs: dict[str, Any] = {
            "SecretId": arn,
            "VersionStage": stage,
            "MoveToVersionId": to_version,
        }
        if from_version is not None:
            kwargs["RemoveFromVersionId"] = from_version
        await call(self._client, "UpdateSecretVersionStage", **kwargs)
        self.invalidate()

    async def remove_stage(self, arn: str, stage: str, version: str) -> None:
        await call(
            self._client,
            "UpdateSecretVersionStage",
            SecretId=arn,
            VersionStage=stage,
            RemoveFromVersionId=version,
        )
        self.invalidate()

    async def restore(self, arn: str) -> None:
        await call(self._client, "RestoreSecret", SecretId=arn)
        known = self._known(arn)
        if known is not None:
            self._remember(replace(known, deleted_date=None))

    async def tag(self, arn: str, tags: dict[str, str]) -> None:
        await call(
            self._client,
            "TagResource",
            SecretId=arn,
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
        known = self._known(arn)
        if known is not None:
            self._remember(replace(known, tags={**known.tags, **tags}))

    async def untag(self, arn: str, keys: list[str]) -> None:
        if not keys:
            return
        await call(self._client, "UntagResource", SecretId=arn, TagKeys=keys)
        known = self._known(arn)
        if known is not None:
            tags = {k: v for k, v in known.tags.items() if k not in keys}
            self._remember(replace(known, tags=tags))

    async def resource_policy(self, arn: str) -> dict[str, Any] | None:
        try:
            response = await call(self._client, "GetResourcePolicy", SecretId=arn)
        except AwsNotFound:
            return None
        policy = response.get("ResourcePolicy")
        return json.loads(policy) if policy else None

    async def put_resource_policy(self, arn: str, policy: dict[str, Any]) -> None:
        await call(
            self._client,
            "PutResourcePolicy",
            SecretId=arn,
            ResourcePolicy=json.dumps(policy),
            BlockPublicPolicy=True,
        )

    async def delete_resource_policy(self, arn: str) -> None:
        await call(self._client, "DeleteResourcePolicy", SecretId=arn)

    async def delete(self, arn: str, recovery_days: int = 7) -> None:
        """Deleted with a recovery window: a wrong prune can still be undone."""
        await call(self._client, "DeleteSecret", SecretId=arn, RecoveryWindowInDays=recovery_days)
        self.invalidate()


def _observed(entry: dict[str, Any], stages: dict[str, list[str]]) -> ObservedSecret:
    """ListSecrets and DescribeSecret describe a secret alike, but for the stages' key."""
    return ObservedSecret(
        name=entry["Name"],
        arn=entry["ARN"],
        tags={t["Key"]: t["Value"] for t in entry.get("Tags", [])},
        stages={version: list(held) for version, held in stages.items()},
        deleted_date=entry.get("DeletedDate"),
        created_date=entry.get("CreatedDate"),
        last_changed_date=entry.get("LastChangedDate"),
    )


def _staged(stages: dict[str, list[str]], version: str, new: list[str]) -> dict[str, list[str]]:
    """Stages after a new version takes ``new``; AWSCURRENT's old holder becomes AWSPREVIOUS."""
    result = {v: [s for s in held if s not in new] for v, held in stages.items()}
    if CURRENT in new:
        for held in result.values():
            if PREVIOUS in held:
                held.remove(PREVIOUS)
        for v, held in stages.items():
            if CURRENT in held:
                result[v].append(PREVIOUS)
    result[version] = list(new)
    return {v: held for v, held in result.items() if held}
