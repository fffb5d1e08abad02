"""No credential reaches the daemon's logs, status, metrics or chat: converging, drifting
(the secret's value rewritten out of band, a planted credential in it) and failing (AWS
errors while correcting)."""

from __future__ import annotations

import json

import pytest

from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.integration.converge._live import (
    OIDC_SERVICE,
    SERVICES,
    registration_tokens,
    secret_value,
)
from tests.integration.daemon.conftest import Setup, event

pytestmark = pytest.mark.slow  # a daemon per test, waiting out resyncs

PLANTED = "planted-out-of-band-secret-value-0123456789"


def test_known_secrets_appear_in_no_output_of_the_daemon(
    setup: Setup, moto: MotoPeer, oidc_provider: OidcProviderPeer
) -> None:

    # Every resync reads every object in depth: the faults below must meet checkout-worker's
    # reconcile, not wait for the safety net's pacing to come to it.
    daemon = setup.start("resyncInterval=1s", "verifyInterval=0s")
    daemon.wait_ready()
    secrets_client = setup.world.client("secretsmanager")
    value = secret_value(setup.world, "orders-api")
    secrets_client.put_secret_value(
        SecretId="ecs-oauth/orders-api",
        SecretString=json.dumps({**value, "client_secret": PLANTED, "scope": "everything"}),
    )
    daemon.wait_for(event("drift", object="Service/orders-api"), timeout=30)
    moto.inject_fault("DescribeUserPoolClient", "InternalErrorException", status=500, count=50)
    daemon.wait_for(event("error", object="Service/checkout-worker"), timeout=60)
    moto.clear_faults()

    known = {PLANTED, oidc_provider.initial_access_token}
    for service in SERVICES:
        stored = secret_value(setup.world, service)
        known |= {stored["client_secret"], *registration_tokens(setup.world, service)}
    oidc_client = secret_value(setup.world, OIDC_SERVICE)["client_id"]
    known.add(oidc_provider.client(oidc_client)["client_secret"])

    outputs = {
        "status": json.dumps(daemon.status()),
        "metrics": daemon.get("/metrics")[1],
        "chat": "".join(m.raw.decode() for m in setup.chat.messages),
    }
    assert daemon.stop() == 0
    outputs |= {"stdout": "".join(daemon.raw), "stderr": daemon.stderr}
    assert setup.chat.messages, "the drift was announced"
    assert any(e.get("event") == "error" for e in daemon.events)
    for where, text in outputs.items():
        for secret in known:
            assert secret not in text, f"a credential leaked into {where}"
    setup.started.clear()  # stopped above
