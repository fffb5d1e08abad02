"""Every case of the hostile corpus, written into the watched folder of a running daemon
one after the other: /healthz and /readyz answer throughout within half a second, /status
names the case's first error with FILE:LINE:COL, an alert goes out, the last valid state
keeps being reconciled, and no part of a pasted secret reaches /status, the logs or chat.
"""

from __future__ import annotations

import json

import pytest

from tests.harness.daemon import Prober
from tests.harness.hostile_yaml import (
    CORPUS,
    PASTED_SECRETS,
    REFUSALS,
    located,
    secret_fragments,
    write_case,
)
from tests.integration.daemon.conftest import Setup, event
from tests.integration.daemon.test_desired_state_edits import secret_exists

pytestmark = pytest.mark.slow  # one daemon through every case, with a resync at the end

# Far shorter than any real probe's timeout: a parse that held the event loop, even for
# part of a second, would show here.
PROBE_TIMEOUT = 0.5


def test_each_hostile_case_is_located_and_alerted_while_probes_answer_and_nothing_leaks(
    setup: Setup,
) -> None:
    daemon = setup.start("resyncInterval=1s")
    daemon.wait_ready()
    prober = Prober(daemon, PROBE_TIMEOUT, 0.05)
    prober.start()
    statuses: list[str] = []
    try:
        for name in sorted(CORPUS):
            seen = len(daemon.events)
            # Written aside, then renamed in: the daemon sees the whole file at once, not
            # an empty one (valid) followed by the full one.
            path = write_case(setup.folder.parent / "staging", name).rename(setup.folder / name)
            invalid = daemon.wait_for(
                lambda e, p=str(path): (
                    e.get("event") == "desired_state_invalid"
                    and any(error.startswith(p + ":") for error in e["errors"])
                ),
                timeout=60,
                after=seen,
            )
            where, message = REFUSALS[name]
            first = invalid["errors"][0]
            assert first.startswith(f"{located(path, where)}: error: "), first
            assert message in first
            status = daemon.get("/status")[1]
            statuses.append(status)
            condition = json.loads(status)["controller"]["conditions"][0]
            assert (condition["type"], condition["status"]) == ("DesiredStateValid", "False")
            assert f"{located(path, where)}: error: " in condition["message"]
            if name != max(CORPUS):  # the last case stays, to show the last valid state runs
                path.unlink()
                daemon.wait_for(event("desired_state_recovered"), timeout=60, after=seen)

        # Still invalid: the last valid state keeps being reconciled.
        setup.world.client("secretsmanager").delete_secret(
            SecretId="ecs-oauth/stock-sync", ForceDeleteWithoutRecovery=True
        )
        daemon.wait_until(
            lambda: secret_exists(setup, "ecs-oauth/stock-sync"),
            what="the secret is re-created from the last valid state",
        )
    finally:
        prober.done.set()
        prober.join()

    assert prober.failures == []
    assert {"/healthz", "/readyz"} <= {path for path, _ in prober.answers}
    assert all(status == 200 for _, status in prober.answers), prober.answers
    for name, (where, _) in REFUSALS.items():
        place = f"{located(setup.folder / name, where)}: error: "
        alerted = [m.path for m in setup.chat.messages if place in m.raw.decode()]
        assert len(alerted) == 2, f"one Slack and one webhook alert for {name}: {alerted}"

    assert daemon.stop() == 0
    setup.started.clear()  # stopped above
    outputs = {
        "status": "".join(statuses),
        "stdout": "".join(daemon.raw),
        "stderr": daemon.stderr,
        "chat": "".join(m.raw.decode() for m in setup.chat.messages),
    }
    for where, text in outputs.items():
        for fragment in secret_fragments(PASTED_SECRETS):
            assert fragment not in text, f"part of a pasted secret reached {where}: {fragment!r}"
