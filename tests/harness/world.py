"""A pre-seeded AWS world and a desired state that uses both provider kinds.

What a platform team already has before adopting ecs-oauth: a Cognito user pool, a
cluster, a shared execution role, task definitions with their own containers and
variables, and ECS services running them. The seeding is the sandbox's own, so the
tests meet the same world ``ecs-oauth sandbox`` shows.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controller.sandbox import Platform, Workload, seed
from tests.harness.moto import MotoPeer

ACCOUNT = "123456789012"
SHARED_EXECUTION_ROLE = "ecsTaskExecutionRole"
LEASE_TABLE = "ecs-oauth-leases"
FAMILIES = {"orders-api": "app", "checkout-worker": "worker", "stock-sync": "sync"}
PLATFORM = Platform(
    user_pools=("corp",),
    execution_roles=(f"arn:aws:iam::{ACCOUNT}:role/{SHARED_EXECUTION_ROLE}",),
    workloads=tuple(
        Workload(
            cluster="prod", family=family, container=container, service=family, team="payments"
        )
        for family, container in FAMILIES.items()
    ),
)


@dataclass(frozen=True)
class SeededWorld:
    moto: MotoPeer
    user_pool_id: str
    execution_role_arn: str

    @property
    def cognito_token_endpoint(self) -> str:
        return f"{self.moto.url}/__cognito/{self.user_pool_id}/oauth2/token"

    def client(self, service: str) -> Any:
        return self.moto.boto3_client(service)

    def create_lease_table(self, table: str = LEASE_TABLE) -> None:
        """The DynamoDB table ``leaderElection.table`` names, as the README asks for."""
        self.client("dynamodb").create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )


def seed_world(moto: MotoPeer) -> SeededWorld:
    seeded = seed(moto.boto3_client, PLATFORM)
    return SeededWorld(
        moto=moto,
        user_pool_id=seeded.user_pool_ids["corp"],
        execution_role_arn=seeded.execution_role_arns[SHARED_EXECUTION_ROLE],
    )


def write_desired_state(
    folder: Path, world: SeededWorld, issuer: str, *, mode: str = "enforce"
) -> Path:
    """The examples' shape, pointed at the local peers."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "providers.yaml").write_text(
        textwrap.dedent(
            f"""\
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: IdentityProvider
            metadata: {{name: corp}}
            spec:
              cognito:
                userPoolId: {world.user_pool_id}
                tokenEndpoint: {world.cognito_token_endpoint}
            ---
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: IdentityProvider
            metadata: {{name: partners}}
            spec:
              oidc:
                issuer: {issuer}
                initialAccessToken: {{fromEnv: PARTNERS_DCR_TOKEN}}
            """
        )
    )
    (folder / "payments.yaml").write_text(
        textwrap.dedent(
            f"""\
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: Scope
            metadata: {{name: orders.read}}
            spec: {{provider: corp, resourceServer: orders, value: orders/read}}
            ---
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: Scope
            metadata: {{name: orders.write}}
            spec: {{provider: corp, resourceServer: orders, value: orders/write}}
            ---
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: Role
            metadata: {{name: orders-reader}}
            spec: {{scopes: [orders.read], tokenLifetime: 15m}}
            ---
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: Role
            metadata: {{name: checkout}}
            spec: {{scopes: [orders.read, orders.write], tokenLifetime: 10m}}
            ---
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: Service
            metadata: {{name: orders-api}}
            spec:
              role: orders-reader
              cluster: prod
              service: orders-api
              taskDefinition: {{family: orders-api, container: app}}
              mode: {mode}
            ---
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: Service
            metadata: {{name: checkout-worker}}
            spec:
              role: checkout
              cluster: prod
              service: checkout-worker
              taskDefinition: {{family: checkout-worker, container: worker}}
              executionRoleArn: {world.execution_role_arn}
              mode: {mode}
            """
        )
    )
    (folder / "inventory.yaml").write_text(
        textwrap.dedent(
            f"""\
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: Scope
            metadata: {{name: inventory.read}}
            spec: {{provider: partners}}
            ---
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: Scope
            metadata: {{name: inventory.write}}
            spec: {{provider: partners}}
            ---
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: Role
            metadata: {{name: stock-keeper}}
            spec: {{scopes: [inventory.read, inventory.write], tokenLifetime: 30m}}
            ---
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: Service
            metadata: {{name: stock-sync}}
            spec:
              role: stock-keeper
              cluster: prod
              service: stock-sync
              taskDefinition: {{family: stock-sync, container: sync}}
              mode: {mode}
            """
        )
    )
    return folder
