"""A rotation's rollout forces a deployment and waits for it: it stops, before revoke, on a
service ECS will not deploy that way."""

from __future__ import annotations

from typing import Any

import pytest

from controller.engine._rotation_steps import RotationFailed, _check_deployable


def service(**fields: Any) -> dict[str, Any]:
    return {"serviceName": "orders-api", "status": "ACTIVE", "deployments": [], **fields}


@pytest.mark.parametrize("controller", ["CODE_DEPLOY", "EXTERNAL"])
def test_a_service_with_another_deployment_controller_stops_it(controller: str) -> None:
    with pytest.raises(RotationFailed) as stopped:
        _check_deployable(service(deploymentController={"type": controller}), "prod", "orders-api")

    assert stopped.value.reason == "DeploymentControllerUnsupported"
    assert "the old one stays valid" in str(stopped.value)


def test_a_draining_service_stops_it() -> None:
    with pytest.raises(RotationFailed) as stopped:
        _check_deployable(service(status="DRAINING"), "prod", "orders-api")

    assert stopped.value.reason == "EcsServiceDraining"


def test_a_missing_service_stops_it() -> None:
    with pytest.raises(RotationFailed) as stopped:
        _check_deployable(None, "prod", "orders-api")

    assert stopped.value.reason == "EcsServiceMissing"


def test_a_rolling_update_service_goes_on() -> None:
    live = service(deploymentController={"type": "ECS"})

    assert _check_deployable(live, "prod", "orders-api") is live
