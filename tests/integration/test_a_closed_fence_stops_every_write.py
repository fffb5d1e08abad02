"""A replica whose lease is not valid sends no write at all, AWS or identity provider.

The fence sits in the AWS clients (every attempt of every mutating operation) and in
front of RFC 7591/7592 registration writes; reads go on, so a standby can still serve
status, and the lease's own DynamoDB calls are fenced by their conditions instead.
"""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest

from controller.aws import AwsClients, AwsNotFound, LeadershipLost, call
from controller.daemon._reconciler import TERMINAL_REASONS
from controller.engine import problem_reason
from controller.idp import ClientSpec
from controller.idp._oidc import OidcAdapter
from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer

TRUST = '{"Version": "2012-10-17", "Statement": []}'


def closed(aws: AwsClients) -> AwsClients:
    aws.fence.enforce(margin=0.0)  # a lease that was never taken, or ran out
    return aws


class TestAws:
    async def test_a_mutating_call_is_refused_before_it_is_sent(self, moto: MotoPeer) -> None:
        moto.clear_journal()
        async with AwsClients() as aws:
            closed(aws)
            with pytest.raises(LeadershipLost) as lost:
                await call(
                    aws.client("iam"), "CreateRole", RoleName="r", AssumeRolePolicyDocument=TRUST
                )

        assert lost.value.code == "LeadershipLost"
        assert problem_reason(lost.value) == "LeadershipLost"
        assert "LeadershipLost" in TERMINAL_REASONS  # the leader does it; no retry storm
        assert [c["operation"] for c in moto.journal()] == []

    async def test_reads_still_go_through(self, moto: MotoPeer) -> None:
        async with AwsClients() as aws:
            closed(aws)
            roles = await call(aws.client("iam"), "ListRoles")
            await call(aws.client("sts"), "GetCallerIdentity")

        assert roles["Roles"] == []

    async def test_the_leases_own_dynamodb_calls_are_not_fenced(self, moto: MotoPeer) -> None:
        async with AwsClients() as aws:
            closed(aws)
            with pytest.raises(AwsNotFound):  # reached DynamoDB: the table does not exist
                await call(
                    aws.client("dynamodb"),
                    "PutItem",
                    TableName="missing",
                    Item={"name": {"S": "ecs-oauth/default"}},
                )

    async def test_without_a_lease_the_fence_never_closes(self, moto: MotoPeer) -> None:
        async with AwsClients() as aws:
            await call(
                aws.client("iam"), "CreateRole", RoleName="r", AssumeRolePolicyDocument=TRUST
            )

        assert [c["operation"] for c in moto.journal()] == ["CreateRole"]


async def test_a_registration_write_is_refused_before_it_is_sent(
    oidc_provider: OidcProviderPeer,
) -> None:
    async def token() -> str:
        return oidc_provider.initial_access_token

    spec = ClientSpec("ecs-oauth-fenced", ("orders.read",), timedelta(minutes=15))
    async with aiohttp.ClientSession() as http:
        fence = closed(AwsClients()).fence
        adapter = OidcAdapter(oidc_provider.issuer, token, http, fence)
        with pytest.raises(LeadershipLost):
            await adapter.create(spec)
        fence.extend(float("inf"))  # the lease is held again: the same write goes out
        record = await adapter.create(spec)

    assert record.client_id
