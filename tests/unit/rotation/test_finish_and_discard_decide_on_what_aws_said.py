"""Two decisions a rotation makes from an AWS answer, each on the answer that means it.

``finish`` retries a lost compare-and-swap (the stage moved: InvalidParameterException),
and lets every other failure go up. A blue/green ``create`` whose record put failed keeps
the new client only when AWSPENDING is this rotation's version *and* names that client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from controller.aws import AWSCURRENT, AWSPENDING, AwsError, ObservedSecret
from controller.engine._rotation_steps import CAS_RETRY, RotationContext, Wait, finish
from controller.engine._rotation_strategies import BlueGreenClients
from controller.idp import ClientRecord

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecs-oauth/orders-api-AbCdEf"
TOKEN = "11111111-2222-3333-4444-555555555555"
OLD = "00000000-0000-0000-0000-000000000000"
NEW_CLIENT = ClientRecord("new-client", "new-secret", "rat", "https://idp.example.com/reg/new")


@dataclass
class FakeSecrets:
    """Secrets Manager as one secret with two versions; stage moves may be made to fail."""

    stages: dict[str, list[str]]
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    failing_code: str | None = None

    async def describe(self, _secret_id: str) -> ObservedSecret:
        return ObservedSecret(
            "ecs-oauth/orders-api", ARN, {}, {k: list(v) for k, v in self.stages.items()}
        )

    async def move_stage(self, _arn: str, stage: str, to: str, from_: str | None) -> None:
        if stage == AWSCURRENT and self.failing_code is not None:
            raise AwsError("UpdateSecretVersionStage", self.failing_code, "refused")
        for held in self.stages.values():
            if stage in held:
                held.remove(stage)
        self.stages.setdefault(to, []).append(stage)

    async def remove_stage(self, _arn: str, stage: str, version: str) -> None:
        self.stages[version].remove(stage)

    async def value(self, secret: ObservedSecret, stage: str) -> dict[str, Any] | None:
        version = secret.version(stage)
        return self.values.get(version) if version else None


@dataclass
class FakeWorld:
    secrets: FakeSecrets


@dataclass
class FakeIdp:
    deleted: list[str] = field(default_factory=list)

    async def delete(self, record: ClientRecord) -> None:
        self.deleted.append(record.client_id)


@dataclass
class FakeRegistrations:
    forgotten: list[str] = field(default_factory=list)

    async def forget(self, client_id: str) -> None:
        self.forgotten.append(client_id)


def rotation_over(secrets: FakeSecrets, idp: FakeIdp | None = None) -> RotationContext:
    return RotationContext(
        world=FakeWorld(secrets),  # type: ignore[arg-type]
        name="orders-api",
        service=None,  # type: ignore[arg-type]
        client_spec=None,  # type: ignore[arg-type]
        idp=idp or FakeIdp(),  # type: ignore[arg-type]
        strategy=BlueGreenClients(),
        secret=ObservedSecret("ecs-oauth/orders-api", ARN, {}, {}),
        token=TOKEN,
        now=datetime.now(UTC),
        registrations=FakeRegistrations(),  # type: ignore[arg-type]
    )


def pending_secret(**kwargs: Any) -> FakeSecrets:
    return FakeSecrets({OLD: [AWSCURRENT], TOKEN: [AWSPENDING]}, **kwargs)


class TestFinish:
    async def test_a_moved_stage_is_a_lost_compare_and_swap_retried_shortly(self) -> None:
        secrets = pending_secret(failing_code="InvalidParameterException")

        step = await finish(rotation_over(secrets))

        assert step == Wait(CAS_RETRY, "AWSCURRENT moved during finish")

    @pytest.mark.parametrize("code", ["AccessDeniedException", "InternalServiceError"])
    async def test_any_other_failure_is_not_taken_for_a_lost_race(self, code: str) -> None:
        secrets = pending_secret(failing_code=code)

        with pytest.raises(AwsError) as raised:
            await finish(rotation_over(secrets))

        assert raised.value.code == code

    async def test_a_won_swap_makes_the_pending_version_current(self) -> None:
        secrets = pending_secret()

        assert await finish(rotation_over(secrets)) is None
        assert AWSCURRENT in secrets.stages[TOKEN]
        assert AWSPENDING not in secrets.stages[TOKEN]


class TestDiscardingAnUnrecordedClient:
    async def test_a_client_the_pending_version_names_is_kept(self) -> None:
        secrets = pending_secret(values={TOKEN: {"client_id": NEW_CLIENT.client_id}})
        idp = FakeIdp()

        await BlueGreenClients()._discard_unrecorded(rotation_over(secrets, idp), NEW_CLIENT)

        assert idp.deleted == []

    async def test_a_pending_version_naming_another_client_does_not_save_it(self) -> None:
        secrets = pending_secret(values={TOKEN: {"client_id": "some-other-client"}})
        idp = FakeIdp()
        rotation = rotation_over(secrets, idp)

        await BlueGreenClients()._discard_unrecorded(rotation, NEW_CLIENT)

        assert idp.deleted == [NEW_CLIENT.client_id]
        assert rotation.registrations.forgotten == [NEW_CLIENT.client_id]  # type: ignore[attr-defined]

    async def test_without_this_rotation_s_pending_version_the_client_is_deleted(self) -> None:
        secrets = FakeSecrets({OLD: [AWSCURRENT]})
        idp = FakeIdp()

        await BlueGreenClients()._discard_unrecorded(rotation_over(secrets, idp), NEW_CLIENT)

        assert idp.deleted == [NEW_CLIENT.client_id]
