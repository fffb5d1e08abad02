"""The chaos scenario's last phase: daemon replicas on one lease, the leader killed.

Two ``ecs-oauth run`` replicas share a DynamoDB lease table (a short lease, so a killed
leader's lease expires within seconds). Each round adds one Service to the desired state
and SIGKILLs whichever replica leads, then starts a new replica so that two run again; the
standby must take over and converge what the killed leader left half done.
"""

from __future__ import annotations

import json
import random
import signal
import time
from typing import TYPE_CHECKING

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
LEADER_WAIT_SECONDS = 60.0
CONVERGE_WAIT_SECONDS = 180.0


class LeaderKills:
    def __init__(self, world: ChaosWorld, services: int, kills: int, rng: random.Random) -> None:
        self.world = world
        self.services = services
        self.kills = kills
        self.rng = rng
        self.replicas: list[RunningDaemon] = []

    def run(self, figures: Figures) -> dict[str, str]:
        """The rounds; the desired Services (and their kinds) at the end."""
        self.world.moto.boto3_client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        services: dict[str, str] = {}
        try:
            self.replicas = [self._start(), self._start()]
            for number in range(1, self.kills + 1):
                services = self.world.desire(self.services + number)
                time.sleep(self.rng.uniform(0.0, 2.0))  # the leader is somewhere in a cycle
                leader = self._leader()
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
        return services

    def _start(self) -> RunningDaemon:
        return RunningDaemon.start(self.world.folder, self.world.env, *DAEMON_SETTINGS)

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
