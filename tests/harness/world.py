"""A pre-seeded AWS world and a desired state that uses both provider kinds.

What a platform team already has before adopting ecs-oauth: a Cognito user pool, a
cluster, a shared execution role, task definitions with their own containers and
variables, and ECS services running them.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.harness.moto import MotoPeer

ACCOUNT = "123456789012"
SHARED_EXECUTION_ROLE = "ecsTaskExecutionRole"
FAMILIES = {"orders-api": "app", "checkout-worker": "worker", "stock-sync": "sync"}


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


def seed_world(moto: MotoPeer) -> SeededWorld:
    cognito = moto.boto3_client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="corp")["UserPool"]["Id"]
    iam = moto.boto3_client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role_arn = iam.create_role(
        RoleName=SHARED_EXECUTION_ROLE, AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]["Arn"]
    ecs = moto.boto3_client("ecs")
    ecs.create_cluster(clusterName="prod")
    for family, container in FAMILIES.items():
        arn = ecs.register_task_definition(
            family=family,
            containerDefinitions=[
                {
                    "name": container,
                    "image": f"registry.example.com/{family}:1.4.2",
                    "memory": 512,
                    "environment": [{"name": "LOG_LEVEL", "value": "info"}],
                },
                {"name": "sidecar", "image": "registry.example.com/envoy:1.31", "memory": 128},
            ],
            tags=[{"key": "team", "value": "payments"}],
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(cluster="prod", serviceName=family, taskDefinition=arn, desiredCount=1)
    return SeededWorld(moto=moto, user_pool_id=pool_id, execution_role_arn=role_arn)


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
