"""The chaos scenario's last phase: daemon replicas on one lease, the leader killed.

Two ``ecs-oauth run`` replicas share a DynamoDB lease table (a short lease, so a killed
leader's lease expires within seconds). Each round adds one Service to the desired state
and SIGKILLs whichever replica leads, then starts a new replica so that two run again; the
standby must take over and converge what the killed leader left half done.

Each replica signs with an access key of its own, so the sandbox's journal tells whose
every write was: the spans from a replica's first write to its last must not overlap
another's, or two leaders wrote at once.
"""

from __future__ import annotations

import itertools
import json
import random
import signal
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from controller.aws import is_write
from tests.harness.daemon import RunningDaemon

if TYPE_CHECKING:
    from tests.harness.chaos import ChaosWorld, Figures

TABLE = "ecs-oauth-chaos-leases"
DAEMON_SETTINGS = (
    "leaderElection.table=" + TABLE,
    "leaderElection.leaseDuration=3s",
    "resyncInterval=2s",
    "limits.ecsTaskDefinitionWritesPerSecond=1000",
    "limits.ecsTaskDefinitionBurst=1000",
    "limits.cognitoRequestsPerSecondPerPool=1000",
)
REPLICA_KEY_PREFIX = "AKIAREPLICA"
LEADER_WAIT_SECONDS = 60.0
WRITE_WAIT_SECONDS = 20.0
CONVERGE_WAIT_SECONDS = 180.0


class LeaderKills:
    def __init__(self, world: ChaosWorld, services: int, kills: int, rng: random.Random) -> None:
        self.world = world
        self.services = services
        self.kills = kills
        self.rng = rng
        self.replicas: list[RunningDaemon] = []
        self.started = 0
        self.keys: dict[int, str] = {}  # each replica's own access key, by id()

    def run(self, figures: Figures) -> dict[str, str]:
        """The rounds; the desired Services (and their kinds) at the end."""
        self.world.moto.boto3_client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        services: dict[str, str] = {}
        self.world.moto.clear_journal()
        try:
            self.replicas = [self._start(), self._start()]
            for number in range(1, self.kills + 1):
                since = time.time()
                services = self.world.desire(self.services + number)
                leader = self._leader()
                self._wait_for_a_write(leader, since)  # kill it in the middle of converging
                time.sleep(self.rng.uniform(0.0, 0.5))
                self.world.kill_times.append(time.time())
                leader.process.send_signal(signal.SIGKILL)
                leader.process.wait()
                self.replicas.remove(leader)
                self.replicas.append(self._start())
                figures.leader_kills_survived += 1
                self.world.say(f"  leader kill {number}/{self.kills}: {len(services)} Services")
            figures.leader_converged = self._converged()
        finally:
            for replica in self.replicas:
                replica.stop()
        journal = self.world.moto.journal()
        figures.leaders_writing_at_once = overlapping_writers(journal)
        figures.replicas_that_wrote = len(write_spans(journal))
        return services

    def _start(self) -> RunningDaemon:
        self.started += 1
        key = f"{REPLICA_KEY_PREFIX}{self.started:06d}"
        env = {**self.world.env, "AWS_ACCESS_KEY_ID": key}
        replica = RunningDaemon.start(self.world.folder, env, *DAEMON_SETTINGS)
        self.keys[id(replica)] = key
        return replica

    def _wait_for_a_write(self, leader: RunningDaemon, since: float) -> None:
        """Until the leader has written since ``since`` (or a while has passed: a leader
        elected after the others converged the change has nothing left to write)."""
        deadline = time.monotonic() + WRITE_WAIT_SECONDS
        while time.monotonic() < deadline:
            span = write_spans(self.world.moto.journal()).get(self.keys[id(leader)])
            if span is not None and span[1] >= since:
                return
            time.sleep(0.3)

    def _leader(self) -> RunningDaemon:
        deadline = time.monotonic() + LEADER_WAIT_SECONDS
        while time.monotonic() < deadline:
            for replica in self.replicas:
                code, body = replica.get("/status")
                if code == 200 and json.loads(body)["controller"]["leader"] is True:
                    return replica
            time.sleep(0.2)
        raise AssertionError("no replica became leader")

    def _converged(self) -> bool:
        """``plan --detailed-exitcode`` exits 0 while the survivors run."""
        deadline = time.monotonic() + CONVERGE_WAIT_SECONDS
        while time.monotonic() < deadline:
            code, _ = self.world.run("plan", "--detailed-exitcode")
            if code == 0:
                return True
            time.sleep(1.0)
        return False


def write_spans(calls: Iterable[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """Per replica (by access key), when its first write began and its last one ended.
    The lease's own DynamoDB calls are not writes to what the controller manages."""
    spans: dict[str, tuple[float, float]] = {}
    for call in calls:
        key = str(call.get("accessKey") or "")
        if not key.startswith(REPLICA_KEY_PREFIX) or call["service"] == "dynamodb":
            continue
        if not is_write(call["operation"]):
            continue
        start, end = call["started"], call["ended"] or call["started"]
        first, last = spans.get(key, (start, end))
        spans[key] = (min(first, start), max(last, end))
    return spans


def overlapping_writers(calls: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of replicas whose spans of writes overlap: two leaders at once. A replica
    leads once at most (only a kill ends its leadership here), so its writes, first to
    last, must fall entirely before or after every other replica's."""
    return [
        (a, b)
        for (a, (a_first, a_last)), (b, (b_first, b_last)) in itertools.combinations(
            sorted(write_spans(calls).items()), 2
        )
        if a_first < b_last and b_first < a_last
    ]
