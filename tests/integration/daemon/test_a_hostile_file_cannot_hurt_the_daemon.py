"""Hostile desired-state files written while the daemon runs: it stays up and answers its
probes during the parse (which runs off its event loop), reports the files with line and
column, and keeps reconciling the last valid state."""

from __future__ import annotations

import re

import pytest

from tests.harness.daemon import Prober
from tests.harness.hostile_yaml import write_case
from tests.integration.daemon.conftest import Setup
from tests.integration.daemon.test_desired_state_edits import secret_exists

pytestmark = pytest.mark.slow  # a daemon per test, waiting out resyncs

# Long enough that a parse on the event loop would leave a probe unanswered, which real
# probes (seconds of timeout) would take for a dead daemon: the point is "answers", not
# a speed figure.
PROBE_TIMEOUT = 5.0


def test_hostile_files_leave_the_daemon_answering_and_running_the_last_valid_state(
    setup: Setup,
) -> None:
    daemon = setup.start("resyncInterval=1s")
    daemon.wait_ready()
    seen = len(daemon.events)
    prober = Prober(daemon, PROBE_TIMEOUT, 0.1)
    prober.start()
    try:
        chain = write_case(setup.folder, "stacked-alias-chain.yaml")
        lists = [write_case(setup.folder / f"big-{n}", "huge-flow-list.yaml") for n in range(3)]
        # Files land one after the other: wait for the reload that saw all four.
        invalid = daemon.wait_for(
            lambda e: e.get("event") == "desired_state_invalid" and len(e["errors"]) == 4,
            timeout=120,
            after=seen,
        )
    finally:
        prober.done.set()
        prober.join()

    assert prober.failures == []
    assert ("/healthz", 200) in prober.answers
    assert ("/readyz", 200) in prober.answers
    assert all(status == 200 for _, status in prober.answers), prober.answers
    located = {error.split(": error: ")[0].rsplit(":", 2)[0] for error in invalid["errors"]}
    assert located == {str(chain), *map(str, lists)}, invalid["errors"]
    assert f"{chain}:2:12: error: nesting deeper than 64 levels" in "\n".join(invalid["errors"])
    condition = daemon.status()["controller"]["conditions"][0]
    assert (condition["type"], condition["status"]) == ("DesiredStateValid", "False")
    # The condition names the first error (files sort, so big-0's) and how many there are.
    assert condition["message"].startswith("4 error(s)"), condition["message"]
    assert re.search(rf"{re.escape(str(lists[0]))}:\d+:\d+: error: ", condition["message"])

    # The last valid state keeps being reconciled: a deleted secret comes back.
    setup.world.client("secretsmanager").delete_secret(
        SecretId="ecs-oauth/stock-sync", ForceDeleteWithoutRecovery=True
    )
    daemon.wait_until(
        lambda: secret_exists(setup, "ecs-oauth/stock-sync"),
        what="the secret is re-created from the last valid state",
    )
    assert daemon.process.poll() is None
