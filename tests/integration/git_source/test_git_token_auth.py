"""A token-protected git server over http://: the daemon fetches with ``auth.token`` and
applies; a wrong token is reported, and its value shows nowhere."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.daemon import RunningDaemon
from tests.harness.git_http import TokenGitHttp, basic_authorization
from tests.harness.git_server import GitServer
from tests.integration.daemon.conftest import Setup, event
from tests.integration.git_source.conftest import (
    push_lifetime,
    ready_on_git,
    revision,
    start_on_git,
    token_lifetime,
)

pytestmark = pytest.mark.slow  # a daemon and a git server per test

TOKEN = "git-token-" + secrets.token_hex(16)
TOKEN_SETTING = "source.git.auth.token.fromEnv=GIT_TOKEN"


@pytest.fixture
def http_server(tmp_path: Path, setup: Setup) -> Iterator[tuple[GitServer, TokenGitHttp]]:
    served, http = GitServer.start_http(tmp_path / "git", setup.folder, TOKEN)
    yield served, http
    served.stop()


def everything_shown(setup: Setup, daemon: RunningDaemon) -> str:
    """Every byte the daemon let out: its logs, its status page and the alerts it sent."""
    status = daemon.get("/status")[1]
    daemon.stop()
    alerts = json.dumps([*setup.slack(), *setup.webhook()])
    return "".join(daemon.raw) + daemon.stderr + status + alerts


def test_the_right_token_fetches_and_every_reconcile_line_carries_the_revision(
    setup: Setup, http_server: tuple[GitServer, TokenGitHttp]
) -> None:
    server, http = http_server
    daemon, first = ready_on_git(
        setup, server, "source.git.interval=1s", TOKEN_SETTING, env={"GIT_TOKEN": TOKEN}
    )
    pushed = push_lifetime(server, 20)
    daemon.wait_until(lambda: token_lifetime(setup) == 20, what="the pushed lifetime applies")
    assert revision(daemon) == pushed
    # The log is read on a thread of its own, so lines of the first cycle may still be
    # arriving: wait for the pushed revision's change, then judge the whole log.
    daemon.wait_for(event("change", object="Service/orders-api", revision=pushed), 30)
    changes = [e.get("revision") for e in daemon.events if e.get("event") == "change"]
    assert changes[0] == first, "the first cycle creates the declared objects"
    assert set(changes) == {first, pushed}
    assert changes.index(pushed) > max(i for i, r in enumerate(changes) if r == first)
    assert http.refused == 0

    shown = everything_shown(setup, daemon)
    assert TOKEN not in shown
    assert basic_authorization(TOKEN).split()[1] not in shown


def test_a_wrong_token_is_reported_without_its_value(
    setup: Setup, http_server: tuple[GitServer, TokenGitHttp]
) -> None:
    server, http = http_server
    wrong = "wrong-token-" + secrets.token_hex(16)
    daemon = start_on_git(
        setup, server, "source.git.interval=1s", TOKEN_SETTING, env={"GIT_TOKEN": wrong}
    )

    invalid = daemon.wait_for(event("desired_state_invalid"), 30)
    assert invalid["errors"][0].startswith(f"{server.url}#main: error: git fetch failed:")
    assert "source.git.auth.token" in invalid["errors"][0]
    desired = daemon.status()["controller"]["desiredState"]
    assert desired["errors"] == invalid["errors"]
    assert desired.get("revision") is None
    assert http.refused > 0  # the wrong token was sent and refused
    daemon.wait_until(
        lambda: any(a.get("action") == "invalid" for a in setup.webhook()),
        what="the invalid desired state is alerted",
    )

    shown = everything_shown(setup, daemon)
    assert wrong not in shown
    assert basic_authorization(wrong).split()[1] not in shown
