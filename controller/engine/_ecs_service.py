"""Point a Service's ECS service at the revision that carries its credentials.

What ECS allows decides what is done (:func:`service_verdict`, pure):

- only services with the rolling-update (``ECS``) deployment controller accept a task
  definition or a forced deployment in UpdateService; for ``CODE_DEPLOY`` and ``EXTERNAL``
  ones the revision is registered and the Service reports ``DeploymentControllerUnsupported``
  (their own pipeline, CodeDeploy or a task set, deploys it);
- a ``DRAINING`` service (deleted, tasks still stopping) is reported as
  ``EcsServiceDraining``, never updated;
- a service that runs a revision of another family than the Service's
  ``taskDefinition.family`` is reported as ``ServiceFamilyMismatch``, never updated: the
  desired state names an ECS service that deploys something else (another team's, or a
  typo), and pointing it at our revision would replace what it runs;
- a revision is deployed to a service at most once. After UpdateService the controller tags
  the revision with the deployment it started (:data:`DEPLOYED_TAG`). When the service later
  runs another revision although that tag names it, the deployment did not stick: ECS's
  circuit breaker rolled it back (DescribeServices shows it FAILED while its tasks drain,
  then no longer lists it), or someone moved the service on. The Service reports
  ``RolloutFailed`` instead of deploying the same revision again every cycle. The rule is
  level-based: the tag and DescribeServices are all it reads, so it holds after a restart.
  It deploys again once the revision to deploy changes (a new revision is registered, or
  the desired state changes what the revision must hold); to retry the same revision,
  remove the tag from it. A deployment of our revision that shows rolloutState FAILED while
  the service still runs it (circuit breaker without rollback) is reported the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from controller.desired._kinds import ServiceSpec
from controller.engine._outcome import Outcome
from controller.engine._world import World
from controller.plan import KNOWN_AFTER_APPLY, FieldChange

ECS_SERVICE = "ecs:service"
# On a task-definition revision: "<cluster>/<service> <family>:<revision> <deployment id>",
# the deployment of that revision this controller started. The revision is named because a
# new revision is registered with the tags of the one before. Tag values allow letters,
# digits, spaces and _ . : / = + - @, at most 256 of them.
DEPLOYED_TAG = "ecs-oauth.dev/deployed"
TAG_VALUE_LIMIT = 256
ROLLING_UPDATE = "ECS"


@dataclass(frozen=True)
class Verdict:
    action: Literal["none", "deploy", "problem"]
    reason: str = ""
    message: str = ""


def deployed_value(cluster: str, service: str, revision: str, deployment: str) -> str:
    return f"{cluster}/{service} {_short(revision)} {deployment}"


def recorded_deployment(
    tags: Mapping[str, str], cluster: str, service: str, revision: str
) -> str | None:
    """The deployment of ``revision`` to this service that its tag records, if any: a tag
    copied from an earlier revision, or written for another service, records none."""
    parts = tags.get(DEPLOYED_TAG, "").split(" ")
    if len(parts) == 3 and parts[:2] == [f"{cluster}/{service}", _short(revision)]:
        return parts[2] or None
    return None


def deployment_controller(live: Mapping[str, Any]) -> str:
    controller = live.get("deploymentController") or {}
    return str(controller.get("type") or ROLLING_UPDATE)


def service_verdict(
    live: Mapping[str, Any],
    revision: str,
    credentials_replaced: bool,
    deployed: str | None,
    family: str | None = None,
) -> Verdict:
    """What to do with the ECS service ``live`` so that its tasks run ``revision``.

    ``deployed`` is the deployment this controller already started for ``revision`` on
    this service (from the revision's tag), None when it never deployed it. ``family`` is
    the declared task-definition family; the service must currently run a revision of it
    (by default, the family of ``revision``).
    """
    name = f"{live.get('clusterArn', '').rsplit('/', 1)[-1]}/{live.get('serviceName')}"
    if live.get("status") == "DRAINING":
        return Verdict(
            "problem",
            "EcsServiceDraining",
            f"ECS service {name} is DRAINING (deleted, its tasks stopping): it is not "
            "updated; recreate it or correct spec.service",
        )
    current = live.get("taskDefinition")
    declared = family if family is not None else revision_family(revision)
    running = revision_family(current) if current else None
    if running is not None and running != declared:
        return Verdict(
            "problem",
            "ServiceFamilyMismatch",
            f"ECS service {name} runs task-definition family {running}, not the declared "
            f"family {declared}: it is not updated; correct spec.service or "
            "spec.taskDefinition.family",
        )
    deployments: list[Mapping[str, Any]] = list(live.get("deployments") or [])
    ours = next((d for d in deployments if deployed and d.get("id") == deployed), None)
    failed = ours is not None and ours.get("rolloutState") == "FAILED"
    why = f" ({ours.get('rolloutStateReason')})" if ours and ours.get("rolloutStateReason") else ""
    if current == revision and not credentials_replaced:
        if failed:
            return Verdict(
                "problem",
                "RolloutFailed",
                f"deployment {deployed} of {_short(revision)} to ECS service {name} failed"
                f"{why}; it is not deployed again until the revision to deploy changes",
            )
        return Verdict("none")
    controller = deployment_controller(live)
    if controller != ROLLING_UPDATE:
        return Verdict(
            "problem",
            "DeploymentControllerUnsupported",
            f"ECS service {name} uses the {controller} deployment controller, which does "
            f"not take a task definition from UpdateService: {_short(revision)} is "
            f"registered, deploy it with "
            + (
                "CodeDeploy (CreateDeployment)" if controller == "CODE_DEPLOY" else "a new task set"
            ),
        )
    if current != revision and deployed is not None:
        if failed:
            happened = f"failed{why} and ECS rolled the service back to {_short(current)}"
        else:
            happened = (
                f"did not stick: the service runs {_short(current)} (a circuit-breaker "
                "rollback, or someone deployed another revision)"
            )
        return Verdict(
            "problem",
            "RolloutFailed",
            f"deployment {deployed} of {_short(revision)} to ECS service {name} {happened}; "
            f"it is not deployed again until the revision to deploy changes (or the "
            f"{DEPLOYED_TAG} tag is removed from it)",
        )
    return Verdict("deploy")


async def roll_ecs_service(
    world: World,
    outcome: Outcome,
    spec: ServiceSpec,
    revision: str | None,
    credentials_replaced: bool,
) -> None:
    """Move the ECS service to ``revision``; with ``credentials_replaced``, start fresh tasks
    even on the same revision, since tasks read their secret only when they start."""
    outcome.at(ECS_SERVICE)
    service_name = spec.service
    if service_name is None or revision is None:
        return
    cluster = spec.cluster
    live = await world.services.get(cluster, service_name)
    service_id = f"{cluster}/{service_name}"
    if live is None:
        outcome.problem(
            ECS_SERVICE,
            service_id,
            "EcsServiceMissing",
            f"ECS service {service_name} not found in cluster {cluster}",
        )
        return
    outcome.resources["ecsServiceArn"] = live["serviceArn"]
    current = live.get("taskDefinition")
    deployed = None
    if revision != KNOWN_AFTER_APPLY and (current != revision or _has_failed_deployment(live)):
        tags = await world.task_definitions.tags(revision)
        deployed = recorded_deployment(tags, cluster, service_name, revision)
    verdict = service_verdict(
        live, revision, credentials_replaced, deployed, spec.task_definition.family
    )
    if verdict.action == "problem":
        outcome.problem(ECS_SERVICE, service_id, verdict.reason, verdict.message)
        return
    if verdict.action == "none":
        return
    diff: tuple[FieldChange, ...] = (FieldChange("taskDefinition", current, revision),)
    if current == revision:
        diff = (FieldChange("deployment", "running tasks hold replaced credentials", "new"),)
    if outcome.change(ECS_SERVICE, service_id, "update", diff):
        updated = await world.services.deploy(
            cluster, service_name, revision, force=credentials_replaced
        )
        started = primary_deployment(updated)
        value = deployed_value(cluster, service_name, revision, started or "")
        if started is not None and current != revision and len(value) <= TAG_VALUE_LIMIT:
            await world.task_definitions.tag(revision, {DEPLOYED_TAG: value})


def primary_deployment(service: Mapping[str, Any]) -> str | None:
    """The id of the service's PRIMARY deployment, the one UpdateService just started."""
    primary = [d for d in service.get("deployments") or [] if d.get("status") == "PRIMARY"]
    return str(primary[0]["id"]) if primary else None


def revision_family(arn: object) -> str:
    """The family of a task-definition revision: ``family`` of ``...:task-definition/family:7``
    (or of a bare ``family:7``)."""
    short = _short(arn)
    return short.rsplit(":", 1)[0] if ":" in short else short


def verdict_inputs(live: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What :func:`roll_ecs_service` decides on, of a DescribeServices answer: a saved plan
    stays good while these stay the same. Task counts, events and the progress of a
    rollout that did not fail move on their own and decide nothing."""
    if live is None:
        return None
    failed = [
        (str(d.get("id")), str(d.get("rolloutStateReason") or ""))
        for d in live.get("deployments") or []
        if d.get("rolloutState") == "FAILED"
    ]
    return {
        "serviceArn": live.get("serviceArn"),
        "status": live.get("status"),
        "taskDefinition": live.get("taskDefinition"),
        "deploymentController": deployment_controller(live),
        "failedDeployments": sorted(failed),
    }


def _has_failed_deployment(live: Mapping[str, Any]) -> bool:
    return any(d.get("rolloutState") == "FAILED" for d in live.get("deployments") or [])


def _short(arn: object) -> str:
    return str(arn).rsplit("/", 1)[-1]
