"""The daemon follows a git branch: pushes are applied at the interval or at once on the
webhook; an invalid or unsigned commit never replaces the last valid one."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.harness.daemon import RunningDaemon
from tests.harness.git_server import AUTHOR, GitServer
from tests.integration.daemon.conftest import Setup, event
from tests.integration.daemon.test_desired_state_edits import secret_exists
from tests.integration.git_source.conftest import (
    HOOK_SECRET,
    push_lifetime,
    ready_on_git,
    revision,
    token_lifetime,
)

pytestmark = pytest.mark.slow  # a daemon and a git server per test


def hook(daemon: RunningDaemon, body: bytes, headers: dict[str, str]) -> int:
    url = daemon.url + "/hooks/git"
    request = urllib.request.Request(url, body, headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def github_signature(body: bytes, secret: str = HOOK_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "X-GitHub-Event": "push"}


def test_a_pushed_commit_is_applied_at_the_next_interval_with_its_revision(
    setup: Setup, server: GitServer
) -> None:
    daemon, _ = ready_on_git(setup, server, "source.git.interval=2s")
    seen = len(daemon.events)

    pushed = push_lifetime(server, 20)

    changed = daemon.wait_for(event("desired_state_changed", revision=pushed), 30, seen)
    assert changed["changed"] == ["Role/orders-reader", "Service/orders-api"]
    daemon.wait_until(lambda: token_lifetime(setup) == 20, what="the pushed lifetime applies")
    assert revision(daemon) == pushed
    metrics = daemon.get("/metrics")[1]
    assert f'ecs_oauth_desired_state_revision{{revision="{pushed}"}} 1.0' in metrics
    alerts = [b for b in setup.webhook() if b.get("action") == "changed"]
    assert any(
        f"Desired state changed by {AUTHOR[0]}: orders-reader: 20 minute tokens" in str(a)
        for a in alerts
    ), alerts


def test_a_signed_webhook_fetches_at_once_and_a_bad_signature_triggers_nothing(
    setup: Setup, server: GitServer
) -> None:
    daemon, first = ready_on_git(setup, server, "source.git.interval=1h")
    pushed = push_lifetime(server, 25)
    body = b'{"ref": "refs/heads/main"}'

    assert hook(daemon, body, github_signature(body, "not-the-secret")) == 401
    assert hook(daemon, body, {"X-Gitlab-Token": "not-the-secret"}) == 401
    assert hook(daemon, body, {}) == 401
    daemon.wait_for(event("git_hook_refused"), 10)
    assert revision(daemon) == first  # nothing fetched

    seen = len(daemon.events)
    assert hook(daemon, body, github_signature(body)) == 202
    daemon.wait_for(event("desired_state_changed", revision=pushed), 30, seen)
    daemon.wait_until(lambda: token_lifetime(setup) == 25, what="the pushed lifetime applies")
    assert revision(daemon) == pushed


def test_an_invalid_commit_keeps_the_last_valid_revision_until_a_fix(
    setup: Setup, server: GitServer
) -> None:
    daemon, valid = ready_on_git(setup, server, "source.git.interval=1s")
    server.edit("inventory.yaml", "tokenLifetime: 30m", "tokenLifetime: 3h")
    broken = server.commit("inventory: longer tokens")

    invalid = daemon.wait_for(event("desired_state_invalid", revision=broken), 30)
    first = invalid["errors"][0]
    assert first.startswith(f"{broken}:desired/inventory.yaml:14:"), first
    status = daemon.status()["controller"]
    assert status["desiredState"]["revision"] == valid
    assert status["desiredState"]["errors"][0] == first
    condition = status["conditions"][0]
    assert (condition["status"], condition["reason"]) == ("False", "DesiredStateInvalid")
    assert f"{broken}:desired/inventory.yaml:14:" in condition["message"]
    # The last valid revision keeps being reconciled: a deleted secret comes back.
    setup.world.client("secretsmanager").delete_secret(
        SecretId="ecs-oauth/stock-sync", ForceDeleteWithoutRecovery=True
    )
    daemon.wait_until(
        lambda: secret_exists(setup, "ecs-oauth/stock-sync"),
        what="the secret is re-created from the last valid revision",
    )

    server.edit("inventory.yaml", "tokenLifetime: 3h", "tokenLifetime: 30m")
    fixed = server.commit("inventory: back to 30 minutes")
    daemon.wait_for(event("desired_state_recovered", revision=fixed), 30)
    daemon.wait_until(lambda: revision(daemon) == fixed, what="the fix is the revision")
    assert daemon.status()["controller"]["desiredState"]["errors"] == []
    alerts = [b for b in setup.webhook() if b["kind"] == "desired-state"]
    assert [a["action"] for a in alerts if a["action"] != "changed"] == ["invalid", "recovered"]


def test_a_force_push_to_an_older_commit_converges_to_it(setup: Setup, server: GitServer) -> None:
    daemon, older = ready_on_git(setup, server, "source.git.interval=1s")
    newer = push_lifetime(server, 20)
    daemon.wait_until(lambda: token_lifetime(setup) == 20, what="the newer commit applies")
    assert revision(daemon) == newer

    server.force_push(older)
    daemon.wait_until(lambda: revision(daemon) == older, what="the older commit is taken")
    daemon.wait_until(lambda: token_lifetime(setup) == 15, what="the older lifetime is back")


def test_an_unsigned_commit_is_refused_when_verification_is_on(
    setup: Setup, server: GitServer, tmp_path: Path
) -> None:
    key = tmp_path / "signing"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    public = " ".join(key.with_suffix(".pub").read_text().split()[:2])
    signing = ("-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "-c", "commit.gpgsign=true")
    signed = server.commit("signed: the desired state", *signing)
    values = tmp_path / "verify.yaml"
    values.write_text(
        yaml.safe_dump(
            {"source": {"git": {"verify": {"allowedSigners": [f"{AUTHOR[1]} {public}"]}}}}
        )
    )
    daemon, head = ready_on_git(setup, server, "source.git.interval=1s", values=values)
    assert head == signed

    unsigned = push_lifetime(server, 20)
    refused = daemon.wait_for(event("desired_state_invalid", revision=unsigned), 30)
    assert refused["errors"][0].startswith(f"{unsigned}: error: not signed by an allowed signer")
    assert revision(daemon) == signed
    assert token_lifetime(setup) == 15

    resigned = server.commit("signed again", *signing)
    daemon.wait_until(lambda: revision(daemon) == resigned, what="a signed commit is taken")
    daemon.wait_until(lambda: token_lifetime(setup) == 20, what="its lifetime applies")
