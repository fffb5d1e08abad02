"""ListSecrets may lag by minutes; a secret described this cycle is current. Whatever the
order of the two reads, the cycle's listing shows the described state (the daemon decides
from it whether a rotation is due)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from controller.aws import Secrets

NAME = "ecs-oauth/orders-api"
ARN = f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{NAME}-AbCdEf"


def entry(tags: dict[str, str]) -> dict[str, Any]:
    return {"Name": NAME, "ARN": ARN, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


class LaggingSecretsManager:
    """Lists the secret as it was (old tags); describes it as it is (new tags)."""

    def get_paginator(self, _name: str) -> Any:
        class Pages:
            def paginate(self, **_: Any) -> AsyncIterator[dict[str, Any]]:
                async def pages() -> AsyncIterator[dict[str, Any]]:
                    yield {"SecretList": [entry({"rotated-at": "old"})]}

                return pages()

        return Pages()

    async def describe_secret(self, **_: Any) -> dict[str, Any]:
        return entry({"rotated-at": "new"})


class FakeClients:
    def client(self, _service: str) -> Any:
        return LaggingSecretsManager()


async def test_a_describe_before_the_listing_still_wins() -> None:
    secrets = Secrets(FakeClients())  # type: ignore[arg-type]

    await secrets.describe(NAME)
    listed = await secrets.listing("ecs-oauth/")

    assert listed[NAME].tags == {"rotated-at": "new"}


async def test_a_describe_after_the_listing_wins_too() -> None:
    secrets = Secrets(FakeClients())  # type: ignore[arg-type]

    await secrets.listing("ecs-oauth/")
    await secrets.describe(NAME)

    assert (await secrets.listing("ecs-oauth/"))[NAME].tags == {"rotated-at": "new"}


async def test_a_new_cycle_forgets_what_was_described() -> None:
    secrets = Secrets(FakeClients())  # type: ignore[arg-type]
    await secrets.describe(NAME)

    secrets.invalidate()

    assert (await secrets.listing("ecs-oauth/"))[NAME].tags == {"rotated-at": "old"}
