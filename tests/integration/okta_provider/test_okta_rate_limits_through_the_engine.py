"""Okta's rate limits, as the org's own request log shows them: a 429 storm in the middle
of an apply is waited out (no request reaches the org between a 429 and the reset it
announced) and the apply still converges; and every management call to one org, from
all its providers together, keeps to ``limits.oktaRequestsPerSecondPerOrg``."""

from __future__ import annotations

import textwrap

from tests.integration.converge.conftest import explain
from tests.peers.okta import RunningOkta

from ._world import OktaWorld, provider_document, service_document

STORM = 4  # 429s in a row: one short of the SDK's retries giving up
PACE = 4.0  # calls per second, well under what the run would make unpaced


def drift_the_rule(world: OktaWorld) -> str:
    """The client's rule grants one more scope, as a change by hand would; its policy id."""
    client_id = world.credentials()["client_id"]
    org = world.okta.org
    with org.lock:
        [policy] = [
            p for p in org.policies.values() if p["conditions"]["clients"]["include"] == [client_id]
        ]
        [rule] = org.rules[policy["id"]].values()
        rule["conditions"]["scopes"]["include"] = ["orders.read", "orders.write"]
    return str(policy["id"])


def test_a_429_storm_is_waited_out_until_each_reset_and_the_apply_converges(
    converged: OktaWorld,
) -> None:
    org = converged.okta.org
    drift_the_rule(converged)
    with org.lock:
        org.log.clear()
        org.throttle_next = STORM

    # One call at a time, so every request after a 429 was sent knowing of it.
    applied = converged.cli("apply", "--auto-approve", "--set", "concurrency=1")
    after = converged.cli("plan", "--detailed-exitcode")

    log = list(org.log)
    assert applied.returncode == 0, explain(applied)
    assert [entry.status for entry in log[:STORM]] == [429] * STORM
    for index, entry in enumerate(log):
        if entry.remaining == 0:
            assert entry.reset is not None
            early = [later for later in log[index + 1 :] if later.at < entry.reset]
            assert early == [], (entry, early)
    assert after.returncode == 0, explain(after)
    assert converged.token("orders.read orders.write").status_code == 400
    assert converged.token("orders.read").status_code == 200


def second_provider_on_the_same_org(okta: RunningOkta) -> str:
    auditing = textwrap.dedent(
        """\
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: audit.read}
        spec: {provider: audit, description: Read the audit trail}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: auditor}
        spec: {scopes: [audit.read], tokenLifetime: 15m}
        """
    )
    worker = service_document("checkout-worker", container="worker", role="auditor")
    return "---\n".join([provider_document(okta, "audit"), auditing, worker])


def test_calls_from_two_providers_on_one_org_keep_to_its_pace_together(
    converged: OktaWorld,
) -> None:
    org = converged.okta.org
    (converged.cli.folder / "audit.yaml").write_text(
        second_provider_on_the_same_org(converged.okta)
    )
    drifted = drift_the_rule(converged)  # so the first provider has writes to make too
    with org.lock:
        org.log.clear()

    applied = converged.cli(
        "apply", "--auto-approve", "--set", f"limits.oktaRequestsPerSecondPerOrg={PACE}"
    )

    assert applied.returncode == 0, explain(applied)
    times = sorted(entry.at for entry in org.log)
    writes = [f"{entry.method} {entry.path}" for entry in org.log]
    rules = f"/api/v1/authorizationServers/{org.server_id}/policies/{drifted}/rules/"
    assert any(w.startswith(f"PUT {rules}") for w in writes), writes  # the first provider's
    assert "POST /api/v1/apps" in writes  # the second provider's new client
    assert len(times) >= 10
    # Evenly spaced at the sender; one request's delay in transit may shorten one gap.
    for first in range(len(times)):
        for last in range(first + 2, len(times)):
            assert times[last] - times[first] >= (last - first - 1) / PACE, (first, last, times)
    assert converged.token("orders.read").status_code == 200
