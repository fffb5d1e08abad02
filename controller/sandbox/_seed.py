"""What a platform team already has before it adopts ecs-oauth, created in the sandbox's AWS.

The controller never creates user pools, clusters, shared execution roles, task-definition
families or ECS services: it finds them. So the sandbox, and the tests that need the same
world, create them first: one Cognito user pool per Cognito provider, the clusters, the
shared execution roles the desired state names, and per workload a task definition whose
containers carry their own image and variables (which the controller must leave alone)
and, when named, an ECS service running it.

:func:`platform_of` reads that world off a desired state (pure); :func:`seed` creates it
through boto3 clients, so it works against any moto server.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from controller.desired import DesiredState

ClientFactory = Callable[[str], Any]
"""``service name -> boto3 client`` bound to the sandbox's AWS."""

TASK_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
SIDECAR = {"name": "sidecar", "image": "registry.example.com/envoy:1.31", "memory": 128}


@dataclass(frozen=True)
class Workload:
    """One ECS workload as its team deployed it, before ecs-oauth."""

    cluster: str
    family: str
    container: str
    service: str | None
    team: str | None = None


@dataclass(frozen=True)
class Platform:
    user_pools: tuple[str, ...]
    """User pool names; the sandbox names each after the Cognito provider that uses it."""
    execution_roles: tuple[str, ...]
    """IAM role ARNs of shared execution roles: the controller reads them, never makes them."""
    workloads: tuple[Workload, ...]

    @property
    def account(self) -> str | None:
        """The AWS account the desired state's ARNs name, so the sandbox can play it."""
        accounts = sorted({arn.split(":")[4] for arn in self.execution_roles})
        return accounts[0] if accounts else None


@dataclass(frozen=True)
class Seeded:
    user_pool_ids: Mapping[str, str]
    """User pool name -> id."""
    execution_role_arns: Mapping[str, str]
    """Role name -> ARN, as AWS answered."""
    task_definition_arns: Mapping[str, str]
    """Family -> the revision the team registered."""


def platform_of(state: DesiredState) -> Platform:
    """The world a desired state expects to find already there."""
    services = [state.services[name] for name in sorted(state.services)]
    return Platform(
        user_pools=tuple(
            name for name in sorted(state.providers) if state.providers[name].spec.cognito
        ),
        execution_roles=tuple(
            sorted({s.spec.execution_role_arn for s in services if s.spec.execution_role_arn})
        ),
        workloads=tuple(
            Workload(
                cluster=s.spec.cluster,
                family=s.spec.task_definition.family,
                container=s.spec.task_definition.container,
                service=s.spec.service,
                team=s.metadata.labels.get("team"),
            )
            for s in services
        ),
    )


def seed(client: ClientFactory, platform: Platform) -> Seeded:
    """Create ``platform`` in the AWS behind ``client``; for an empty world only."""
    cognito = client("cognito-idp")
    pools = {
        name: cognito.create_user_pool(PoolName=name)["UserPool"]["Id"]
        for name in platform.user_pools
    }
    iam = client("iam")
    roles = {}
    for arn in platform.execution_roles:
        *path, name = arn.split(":", 5)[5].split("/")[1:]
        roles[name] = iam.create_role(
            RoleName=name,
            Path="/" + "".join(f"{part}/" for part in path),
            AssumeRolePolicyDocument=json.dumps(TASK_TRUST_POLICY),
        )["Role"]["Arn"]
    ecs = client("ecs")
    for cluster in sorted({w.cluster for w in platform.workloads}):
        ecs.create_cluster(clusterName=cluster)
    revisions = {}
    for workload in platform.workloads:
        revisions[workload.family] = _register(ecs, workload)
        if workload.service:
            ecs.create_service(
                cluster=workload.cluster,
                serviceName=workload.service,
                taskDefinition=revisions[workload.family],
                desiredCount=1,
            )
    return Seeded(pools, roles, revisions)


def _register(ecs: Any, workload: Workload) -> str:
    """The team's own revision: an image, a variable and a sidecar the controller must keep."""
    app = {
        "name": workload.container,
        "image": f"registry.example.com/{workload.family}:1.4.2",
        "memory": 512,
        "environment": [{"name": "LOG_LEVEL", "value": "info"}],
    }
    tags = [{"key": "team", "value": workload.team}] if workload.team else []
    arn: str = ecs.register_task_definition(
        family=workload.family, containerDefinitions=[app, SIDECAR], tags=tags
    )["taskDefinition"]["taskDefinitionArn"]
    return arn
