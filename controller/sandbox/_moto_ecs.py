"""ECS services as strict as AWS, where moto (5.x) is lenient.

Each rule below quotes the sentence of the ECS API reference it enforces:

- UpdateService with a new task definition, or with ``forceNewDeployment``, starts a new
  deployment: it becomes PRIMARY with the new revision, and the one before becomes ACTIVE
  until its tasks are replaced (moto only rewrites the service's ``taskDefinition`` and
  keeps the old deployment, so ``deployments[0]`` names the old revision);
- services with a CODE_DEPLOY or EXTERNAL deployment controller refuse both, with ECS's own
  InvalidParameterException (moto accepts them);
- a service that is not ACTIVE refuses updates (ServiceNotActiveException);
- deleting a service that still runs tasks leaves it DRAINING, not INACTIVE at once.

Tests also need what moto cannot produce: a deployment the circuit breaker stops and rolls
back. ``POST /__ecs/fail-next-deployment`` with ``{"cluster": ..., "service": ...}`` makes
the next deployment of that service fail: UpdateService answers as usual (the new deployment
PRIMARY, IN_PROGRESS), and from the next DescribeServices on, that deployment reads ACTIVE
with rolloutState FAILED and a new PRIMARY deployment runs the revision before it, as after
a circuit-breaker rollback. ``POST /moto-api/reset`` forgets pending failures.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from os import getenv
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from moto.core.utils import utcnow
from moto.ecs.exceptions import ECSException, InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend
from moto.moto_api._internal import mock_random
from werkzeug.wrappers import Request, Response

FAIL_NEXT_DEPLOYMENT_PATH = "/__ecs/fail-next-deployment"
RESET_PATH = "/moto-api/reset"
CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."
UNSUPPORTED_CONTROLLERS = ("CODE_DEPLOY", "EXTERNAL")

_lock = threading.Lock()
_installed = False
_fail_next: set[tuple[str, str]] = set()  # (cluster name, service name)
# A service's attribute: (the deployment that is to fail, the revision to roll back to).
_failing = "_sandbox_failing_deployment"


def fail_next_deployment(cluster: str, service: str) -> None:
    with _lock:
        _fail_next.add((cluster.rsplit("/", 1)[-1], service.rsplit("/", 1)[-1]))


def _take_failure(cluster: str, service: str) -> bool:
    with _lock:
        if (cluster, service) in _fail_next:
            _fail_next.discard((cluster, service))
            return True
        return False


def _running_tasks() -> int:
    """What moto's ECS reports as running per service (``MOTO_ECS_SERVICE_RUNNING``)."""
    try:
        return max(int(getenv("MOTO_ECS_SERVICE_RUNNING", "0")), 0)
    except ValueError:
        return 0


def _deployment(service: Any, task_definition: str, status: str, state: str) -> dict[str, Any]:
    """A deployment in moto's own shape (see ``moto.ecs.models.Service``)."""
    deployment_id = f"ecs-svc/{mock_random.randint(0, 32**12)}"
    running = service.desired_count if state == "COMPLETED" else 0
    now = utcnow()
    reasons = {
        "COMPLETED": f"ECS deployment {deployment_id} completed.",
        "IN_PROGRESS": f"ECS deployment {deployment_id} in progress.",
    }
    return {
        "createdAt": now,
        "desiredCount": service.desired_count,
        "failedTasks": 0,
        "id": deployment_id,
        "launchType": service.launch_type,
        "pendingCount": service.desired_count - running,
        "rolloutState": state,
        "rolloutStateReason": reasons.get(state, ""),
        "runningCount": running,
        "platformVersion": service.platform_version,
        "networkConfiguration": service.network_configuration or None,
        "platformFamily": "EC2" if service.launch_type == "EC2" else "FARGATE",
        "status": status,
        "taskDefinition": task_definition,
        "updatedAt": now,
    }


def _start_deployment(service: Any, task_definition: str, *, to_fail: bool) -> dict[str, Any]:
    """A new PRIMARY deployment of ``task_definition``.

    "PRIMARY: The most recent deployment of a service. ACTIVE: A service deployment that
    still has running tasks, but are in the process of being replaced with a new PRIMARY
    deployment. INACTIVE: A deployment that has been completely replaced." (Deployment
    ``status``). moto reports its tasks running at once, so with ``MOTO_ECS_SERVICE_RUNNING``
    covering the desired count the new deployment is COMPLETED and the old ones are already
    INACTIVE, which DescribeServices does not list; otherwise the old PRIMARY turns ACTIVE.
    A failed deployment left over from an earlier rollback counts as drained; one that is
    ``to_fail`` never completes.
    """
    completed = _running_tasks() >= service.desired_count and not to_fail
    state = "COMPLETED" if completed else "IN_PROGRESS"
    new = _deployment(service, task_definition, "PRIMARY", state)
    kept: list[dict[str, Any]] = []
    if not completed:
        for old in service.deployments:
            if old.get("rolloutState") != "FAILED":
                old["status"] = "ACTIVE"
                kept.append(old)
    service.deployments = [new, *kept]
    return new


def _roll_back(service: Any) -> None:
    """The deployment marked to fail, as after a circuit-breaker rollback.

    "If the service fails to reach a steady state and circuit breaker is turned on, the
    deployment transitions to a FAILED state. A deployment in FAILED state doesn't launch any
    new tasks." (Deployment ``rolloutState``) and "If rollback is on, when a service
    deployment fails, the service is rolled back to the last deployment that completed
    successfully." (DeploymentCircuitBreaker ``rollback``).
    """
    marked: tuple[str, str | None] | None = getattr(service, _failing, None)
    if marked is None:
        return
    setattr(service, _failing, None)
    failing_id, back_to = marked
    failing = next((d for d in service.deployments if d["id"] == failing_id), None)
    if failing is None:
        return
    failing.update(
        status="ACTIVE",
        rolloutState="FAILED",
        rolloutStateReason=CIRCUIT_BREAKER_REASON,
        runningCount=0,
        pendingCount=0,
        failedTasks=max(service.desired_count, 1),
        updatedAt=utcnow(),
    )
    previous = back_to or failing["taskDefinition"]
    rollback = _deployment(service, previous, "PRIMARY", "COMPLETED")
    service.deployments = [rollback, failing]
    service.task_definition = previous


def _refuse_unsupported(service: Any, task_definition: str | None, force: bool) -> None:
    """UpdateService on a CODE_DEPLOY or EXTERNAL service.

    "For services using the blue/green (CODE_DEPLOY) deployment controller, only the desired
    count, deployment configuration, health check grace period, task placement constraints
    and strategies, enable ECS managed tags option, and propagate tags can be updated using
    this API." and "For services using an external deployment controller, you can update
    only the desired count, task placement constraints and strategies, health check grace
    period, enable ECS managed tags option, and propagate tags option, using this API."
    (UpdateService). The messages are the ones ECS answers with.
    """
    controller = (service.deployment_controller or {}).get("type", "ECS")
    if controller not in UNSUPPORTED_CONTROLLERS:
        return
    advice = (
        " Use AWS CodeDeploy to trigger a new deployment." if controller == "CODE_DEPLOY" else ""
    )
    if task_definition:
        raise InvalidParameterException(
            f"Unable to update task definition on services with a {controller} deployment "
            f"controller.{advice}"
        )
    if force:
        raise InvalidParameterException(
            f"Cannot force a new deployment on services with a {controller} deployment "
            f"controller.{advice}"
        )


def _refuse_inactive(service: Any) -> None:
    """ "The specified service isn't active. You can't update a service that's inactive."
    (ServiceNotActiveException): a DRAINING or INACTIVE service refuses UpdateService."""
    if service.status != "ACTIVE":
        raise ECSException("ServiceNotActiveException", "Service was not ACTIVE.")


def _strict_update(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        """UpdateService that starts a deployment where ECS does.

        "If you modify the task definition with UpdateService, Amazon ECS spawns a task with
        the new version of the task definition and then stops an old task after the new
        version is running. This parameter triggers a new service deployment."
        (UpdateService ``taskDefinition``) and "You can use this option to start a new
        deployment with no service definition changes." (``forceNewDeployment``). The
        service records the revision by ARN, whichever form the call named it in.
        """
        properties = dict(service_properties)
        cluster = str(properties.get("cluster") or "default").rsplit("/", 1)[-1]
        name = str(properties.get("service", "")).rsplit("/", 1)[-1]
        service = self._get_service(cluster, name)  # ClusterNotFound, ServiceNotFound
        _roll_back(service)
        _refuse_inactive(service)
        task_definition = properties.get("task_definition")
        force = bool(properties.pop("force_new_deployment", False))
        _refuse_unsupported(service, task_definition, force)
        before = service.task_definition
        if task_definition:
            properties["task_definition"] = self.describe_task_definition(task_definition).arn
        updated = original(self, properties)
        if updated.task_definition != before or force:
            to_fail = _take_failure(updated.cluster_name, updated.name)
            new = _start_deployment(updated, updated.task_definition, to_fail=to_fail)
            if to_fail:
                setattr(updated, _failing, (new["id"], before))
        return updated

    return update_service


def _settling_describe(original: Callable[..., Any]) -> Callable[..., Any]:
    def describe_services(self: Any, cluster_str: str, names: list[str]) -> Any:
        services, failures = original(self, cluster_str, names)
        for service in services:
            _roll_back(service)
        return services, failures

    return describe_services


def _draining_delete(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_service(self: Any, cluster_name: str, service_name: str, force: bool) -> Any:
        """ "When you delete a service, if there are still running tasks that require cleanup,
        the service status moves from ACTIVE to DRAINING" (DeleteService). moto's tasks
        never stop, so a service deleted with running tasks stays DRAINING."""
        running = self._get_service(cluster_name, service_name).running_count
        service = original(self, cluster_name, service_name, force)
        if running > 0:
            service.status = "DRAINING"
        return service

    return delete_service


class EcsControls:
    """WSGI middleware serving ``POST /__ecs/fail-next-deployment``."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == FAIL_NEXT_DEPLOYMENT_PATH:
            return self._fail_next(Request(environ))(environ, start_response)
        if path == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            with _lock:
                _fail_next.clear()
        return self._app(environ, start_response)

    @staticmethod
    def _fail_next(request: Request) -> Response:
        if request.method != "POST":
            return Response(status=405)
        try:
            document = json.loads(request.get_data())
            cluster, service = document["cluster"], document["service"]
            if not (isinstance(cluster, str) and isinstance(service, str) and cluster and service):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            body = json.dumps({"error": 'expected {"cluster": NAME, "service": NAME}'})
            return Response(body, status=400, content_type="application/json")
        fail_next_deployment(cluster, service)
        return Response(status=204)


def install(app: WSGIApplication) -> WSGIApplication:
    """Patch moto's ECS backend, once per process, and put the control endpoint in front of
    ``app``."""
    global _installed
    with _lock:
        if not _installed:
            backend: Any = EC2ContainerServiceBackend
            backend.update_service = _strict_update(EC2ContainerServiceBackend.update_service)
            backend.describe_services = _settling_describe(
                EC2ContainerServiceBackend.describe_services
            )
            backend.delete_service = _draining_delete(EC2ContainerServiceBackend.delete_service)
            _installed = True
    return EcsControls(app)
