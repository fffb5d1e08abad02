"""A Service on Okta taken out of the desired state: its app and the access policy that
granted it scopes are orphans, listed by plan and kept by apply, and deleted with
``--prune``; the other Service's app and policy are untouched."""

from __future__ import annotations

import time
from typing import Any

from tests.integration.converge._live import describe_secret
from tests.integration.converge.conftest import explain

from ._world import OktaWorld, service_document

RETIRED = "checkout-worker"
LISTING_LAG_SECONDS = 30


def policies_naming(world: OktaWorld, client_id: str) -> list[dict[str, Any]]:
    return [
        policy
        for policy in world.okta.org.policies.values()
        if client_id in policy["conditions"]["clients"]["include"]
    ]


def test_a_retired_services_app_and_policy_are_deleted_with_prune_and_only_then(
    converged: OktaWorld,
) -> None:
    cli, org = converged.cli, converged.okta.org
    worker = cli.folder / "worker.yaml"
    worker.write_text(service_document(RETIRED, container="worker"))
    cli.apply()
    retired_id = converged.credentials(RETIRED)["client_id"]
    kept_id = converged.credentials()["client_id"]
    assert len(policies_naming(converged, retired_id)) == 1

    worker.unlink()
    deadline = time.monotonic() + LISTING_LAG_SECONDS
    while converged.cli.plan_json()["summary"]["orphaned"] == 0:  # ListSecrets lags writes
        assert time.monotonic() < deadline, cli.runs[-1].stdout
        time.sleep(1)
    plan = cli.plan_json()
    without = cli.apply()
    still_there = retired_id in org.apps
    pruned = cli("apply", "--auto-approve", "--prune")

    orphans = {(c["resource"], c["action"]) for c in plan["changes"] if RETIRED in c["object"]}
    assert ("idp:client", "delete") in orphans, plan
    assert "No changes to apply." in without.stdout
    assert still_there
    assert pruned.returncode == 0, explain(pruned)
    assert retired_id not in org.apps
    assert policies_naming(converged, retired_id) == []
    assert retired_id not in org.secrets
    assert "DeletedDate" in describe_secret(converged.world, RETIRED)
    assert org.apps[kept_id]["status"] == "ACTIVE"
    assert len(policies_naming(converged, kept_id)) == 1
    assert converged.token("orders.read").status_code == 200
    cli.assert_in_sync()
