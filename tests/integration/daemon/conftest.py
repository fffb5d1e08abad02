"""``ecs-oauth run`` as a subprocess against moto, oidc-provider and a chat receiver.

Each test seeds a fresh world, writes the examples-shaped desired state and starts the
daemon on it with Slack and webhook alerts pointed at the local receiver; the fixture
stops it with SIGTERM and checks it exits 0, whatever the test did.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness.chat import ChatReceiver
from tests.harness.daemon import ECS_OAUTH, RunningDaemon, daemon_environment
from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.harness.world import SeededWorld, seed_world, write_desired_state

ALERTS = (
    "alerts.slack.webhookUrl.fromEnv=TEST_SLACK_WEBHOOK",
    "alerts.webhook.url.fromEnv=TEST_ALERT_WEBHOOK",
)


@dataclass
class Setup:
    world: SeededWorld
    folder: Path
    env: dict[str, str]
    chat: ChatReceiver
    started: list[RunningDaemon]

    def start(
        self, *settings: str, values: Path | None = None, env: dict[str, str] | None = None
    ) -> RunningDaemon:
        """A daemon on this folder; ``env`` adds to the environment (say, its own keys)."""
        environment = {**self.env, **(env or {})}
        daemon = RunningDaemon.start(self.folder, environment, *ALERTS, *settings, values=values)
        self.started.append(daemon)
        return daemon

    def apply(self) -> None:
        """Converge once with ``ecs-oauth apply``, as a team would before the daemon runs."""
        result = subprocess.run(
            [str(ECS_OAUTH), "apply", "--auto-approve", "-f", str(self.folder)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def slack(self) -> list[dict[str, object]]:
        return [m.body for m in self.chat.messages if m.path.startswith("/slack/")]

    def webhook(self) -> list[dict[str, object]]:
        return [m.body for m in self.chat.messages if not m.path.startswith("/slack/")]


@pytest.fixture
def setup(
    tmp_path: Path, moto: MotoPeer, oidc_provider: OidcProviderPeer, chat: ChatReceiver
) -> Iterator[Setup]:
    world = seed_world(moto)
    env = daemon_environment(
        {
            **moto.aws_environment(),
            "PARTNERS_DCR_TOKEN": oidc_provider.initial_access_token,
            "TEST_SLACK_WEBHOOK": chat.slack_url,
            "TEST_ALERT_WEBHOOK": chat.webhook_url,
        }
    )
    folder = write_desired_state(tmp_path / "desired", world, oidc_provider.issuer)
    setup = Setup(world, folder, env, chat, [])
    yield setup
    for daemon in setup.started:
        assert daemon.stop(signal.SIGTERM) == 0, daemon.output()


def event(name: str, **fields: object) -> Callable[[dict[str, object]], bool]:
    """A log-event matcher: the event name and every given field equal."""
    return lambda e: e.get("event") == name and all(e.get(k) == v for k, v in fields.items())


def condition(daemon: RunningDaemon, key: str, type_: str) -> dict[str, object]:
    return daemon.conditions(key).get(type_, {})


def is_ready(daemon: RunningDaemon, key: str) -> bool:
    return condition(daemon, key, "Ready").get("status") == "True"
