"""A world of N services across a Cognito and an OIDC provider, for benchmarks and chaos.

``bench/converge.py``, ``bench/chaos.py`` and ``tests/chaos`` measure the same world: N
task-definition families (containers ``app`` + ``sidecar``) with an ECS service each in
one cluster, one Cognito user pool, one shared execution role, and a desired state with
one Role per ~10 services per provider; even-numbered services name the shared execution
role, odd ones get a dedicated one from the controller. Seeding uses boto3 from a thread
pool (more than 8 concurrent requests adds nothing against moto).
"""

from __future__ import annotations

import json
import math
import os
import textwrap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

REGION = "us-east-1"
CLUSTER = "bench"
SHARED_EXECUTION_ROLE = "benchTaskExecutionRole"
SERVICES_PER_ROLE = 10
SEED_WORKERS = 8  # TESTBEDS: more than 8 concurrent requests adds nothing against moto
SERVICE_BATCH = 50
OIDC_TOKEN_VARIABLE = "BENCH_DCR_TOKEN"
Say = Callable[[str], None]


def _quiet(_line: str) -> None:
    """Progress lines go nowhere unless a caller wants them."""


def aws_environment(url: str) -> dict[str, str]:
    """Environment variables that point AWS SDKs at the sandbox AWS at ``url``."""
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }


def point_sdks_at(url: str) -> None:
    os.environ.update(aws_environment(url))


@dataclass(frozen=True)
class Seeded:
    user_pool_id: str
    execution_role_arn: str
    families: list[str]


def _client(url: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
        config=Config(max_pool_connections=SEED_WORKERS * 2, retries={"mode": "standard"}),
    )


def _in_batches(
    pool: ThreadPoolExecutor,
    label: str,
    work: Callable[[str], Any],
    items: list[str],
    say: Say,
) -> list[Any]:
    results: list[Any] = []
    for start in range(0, len(items), SERVICE_BATCH):
        batch = items[start : start + SERVICE_BATCH]
        results.extend(pool.map(work, batch))
        say(f"  seeded {label}: {start + len(batch)}/{len(items)}")
    return results


def seed(url: str, count: int, say: Say = _quiet) -> Seeded:
    ecs = _client(url, "ecs")
    iam = _client(url, "iam")
    cognito = _client(url, "cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="bench")["UserPool"]["Id"]
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
    ecs.create_cluster(clusterName=CLUSTER)
    families = [f"svc-{index:04d}" for index in range(count)]

    def register(family: str) -> str:
        arn: str = ecs.register_task_definition(
            family=family,
            containerDefinitions=[
                {
                    "name": "app",
                    "image": f"registry.example.com/{family}:1.0.0",
                    "memory": 512,
                    "environment": [{"name": "LOG_LEVEL", "value": "info"}],
                },
                {"name": "sidecar", "image": "registry.example.com/envoy:1.31", "memory": 128},
            ],
            tags=[{"key": "team", "value": "bench"}],
        )["taskDefinition"]["taskDefinitionArn"]
        return arn

    with ThreadPoolExecutor(SEED_WORKERS) as pool:
        arns = dict(
            zip(
                families,
                _in_batches(pool, "task definitions", register, families, say),
                strict=True,
            )
        )

        def create_service(family: str) -> None:
            ecs.create_service(
                cluster=CLUSTER, serviceName=family, taskDefinition=arns[family], desiredCount=1
            )

        _in_batches(pool, "ECS services", create_service, families, say)
    return Seeded(user_pool_id=pool_id, execution_role_arn=role_arn, families=families)


# -- desired state ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    providers: dict[str, str]  # service name -> "cognito" | "oidc"
    roles: int
    shared_execution_role: int
    dedicated_execution_role: int


def providers(count: int, choice: str) -> list[str]:
    """Each service's provider. With both, two Cognito then two OIDC, repeated: half each,
    both with shared and dedicated execution roles, and a service keeps its provider when
    the world grows (the chaos run adds services)."""
    if choice != "both":
        return [choice] * count
    return ["cognito" if index % 4 < 2 else "oidc" for index in range(count)]


DOCUMENTS_PER_FILE = 500


def write_desired_state(
    folder: Path, seeded: Seeded, moto_url: str, issuer: str, choice: str
) -> Layout:
    """Per provider: one Role per ~10 services, role r holding {common, s<r>} (distinct sets);
    even-numbered services name the shared execution role, odd ones get a dedicated one."""
    kinds = providers(len(seeded.families), choice)
    token_endpoint = f"{moto_url}/__cognito/{seeded.user_pool_id}/oauth2/token"
    provider_documents = {
        "cognito": textwrap.dedent(
            f"""\
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: IdentityProvider
            metadata: {{name: corp}}
            spec:
              cognito:
                userPoolId: {seeded.user_pool_id}
                tokenEndpoint: {token_endpoint}
            """
        ),
        "oidc": textwrap.dedent(
            f"""\
            apiVersion: ecs-oauth.dev/v1alpha1
            kind: IdentityProvider
            metadata: {{name: partners}}
            spec:
              oidc:
                issuer: {issuer}
                initialAccessToken: {{fromEnv: {OIDC_TOKEN_VARIABLE}}}
            """
        ),
    }
    # Only the providers some service uses: an unused one would add its own reads.
    documents = [provider_documents[kind] for kind in ("cognito", "oidc") if kind in kinds]
    role_of: dict[str, str] = {}
    roles = 0
    for kind, provider in (("cognito", "corp"), ("oidc", "partners")):
        members = [f for f, k in zip(seeded.families, kinds, strict=True) if k == kind]
        if not members:
            continue
        role_count = math.ceil(len(members) / SERVICES_PER_ROLE)
        roles += role_count
        scope_names = ["common", *(f"s{r}" for r in range(role_count))]
        for index, scope in enumerate(scope_names):
            if kind == "cognito":  # Cognito holds at most 100 scopes per resource server
                server = "bench" if index < 100 else f"bench{index // 100}"
                value = f"{server}/{scope}"
                spec = f"{{provider: {provider}, resourceServer: {server}, value: {value}}}"
            else:
                spec = f"{{provider: {provider}}}"
            documents.append(
                "apiVersion: ecs-oauth.dev/v1alpha1\nkind: Scope\n"
                f"metadata: {{name: {kind}.{scope}}}\nspec: {spec}\n"
            )
        for r in range(role_count):
            role = f"{kind}-role-{r:03d}"
            documents.append(
                "apiVersion: ecs-oauth.dev/v1alpha1\nkind: Role\n"
                f"metadata: {{name: {role}}}\n"
                f"spec: {{scopes: [{kind}.common, {kind}.s{r}], tokenLifetime: 15m}}\n"
            )
        for index, family in enumerate(members):
            role_of[family] = f"{kind}-role-{index // SERVICES_PER_ROLE:03d}"
    shared = dedicated = 0
    for index, family in enumerate(seeded.families):
        lines = [
            "apiVersion: ecs-oauth.dev/v1alpha1",
            "kind: Service",
            f"metadata: {{name: {family}}}",
            "spec:",
            f"  role: {role_of[family]}",
            f"  cluster: {CLUSTER}",
            f"  service: {family}",
            f"  taskDefinition: {{family: {family}, container: app}}",
        ]
        if index % 2 == 0:
            lines.append(f"  executionRoleArn: {seeded.execution_role_arn}")
            shared += 1
        else:
            dedicated += 1
        documents.append("\n".join(lines) + "\n")
    folder.mkdir(parents=True, exist_ok=True)
    # Files of a size teams write: one file over the loader's node limit would be refused.
    for start in range(0, len(documents), DOCUMENTS_PER_FILE):
        chunk = documents[start : start + DOCUMENTS_PER_FILE]
        (folder / f"bench-{start // DOCUMENTS_PER_FILE:03d}.yaml").write_text("---\n".join(chunk))
    return Layout(dict(zip(seeded.families, kinds, strict=True)), roles, shared, dedicated)
