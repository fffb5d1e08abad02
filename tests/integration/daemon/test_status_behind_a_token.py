"""With ``http.authToken`` set, what describes the estate (``/status``, ``/metrics``) needs
the bearer token; the probes (``/healthz``, ``/readyz``) stay open for the orchestrator."""

from __future__ import annotations

import os
import subprocess
import urllib.error
import urllib.request

from tests.harness.daemon import ECS_OAUTH, RunningDaemon

from .conftest import Setup

TOKEN = "status-token-for-the-test-0123456789"


def get(daemon: RunningDaemon, path: str, token: str | None) -> int:
    request = urllib.request.Request(daemon.url + path)  # noqa: S310
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_status_and_metrics_need_the_token_and_probes_do_not(setup: Setup) -> None:
    setup.env["TEST_HTTP_TOKEN"] = TOKEN
    daemon = setup.start("http.authToken.fromEnv=TEST_HTTP_TOKEN")
    daemon.wait_ready()

    assert [get(daemon, path, None) for path in ("/healthz", "/readyz")] == [200, 200]
    assert [get(daemon, path, None) for path in ("/status", "/metrics")] == [401, 401]
    assert [get(daemon, path, "wrong") for path in ("/status", "/metrics")] == [401, 401]
    assert [get(daemon, path, TOKEN) for path in ("/status", "/metrics")] == [200, 200]


def test_the_status_command_sends_the_token_from_its_environment(setup: Setup) -> None:
    setup.env["TEST_HTTP_TOKEN"] = TOKEN
    daemon = setup.start("http.authToken.fromEnv=TEST_HTTP_TOKEN")
    daemon.wait_ready()

    def status(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ECS_OAUTH), "status", "--url", daemon.url],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    refused = status({"ECS_OAUTH_HTTP_TOKEN": ""})
    allowed = status({"ECS_OAUTH_HTTP_TOKEN": TOKEN})

    assert refused.returncode == 1
    assert "HTTP 401; set ECS_OAUTH_HTTP_TOKEN" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr
    assert "Service/orders-api" in allowed.stdout
    assert TOKEN not in allowed.stdout + allowed.stderr + daemon.output()
