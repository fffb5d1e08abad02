"""The sandbox peers' chaos controls: seeded random faults in each protocol's own shape,
counted by kind and operation, and a request held until released."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from tests.harness.chaos_control import ChaosControl
from tests.harness.moto import MotoPeer
from tests.harness.sandbox_authserver import SandboxAuthServerPeer

ONCE = Config(retries={"mode": "standard", "total_max_attempts": 1})


def create_secrets(moto: MotoPeer, count: int) -> list[str]:
    manager = moto.boto3_client("secretsmanager", ONCE)
    outcomes = []
    for index in range(count):
        try:
            manager.create_secret(Name=f"chaos-{index}", SecretString="x")
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
        except ConnectionClosedError:
            outcomes.append("reset")
    return outcomes


def test_the_same_seed_gives_the_same_faults(moto: MotoPeer) -> None:
    chaos = ChaosControl(moto.url)
    runs = []
    for _ in range(2):
        moto.reset()
        chaos.start(seed=7, rate=0.5, kinds=["throttle", "5xx"])
        runs.append(create_secrets(moto, 20))
    assert runs[0] == runs[1]
    assert {"ThrottlingException", "ok"} <= set(runs[0])
    injected = chaos.stop()["injected"]
    assert sum(injected["throttle"].values()) == runs[1].count("ThrottlingException")


def test_a_query_protocol_call_is_throttled_as_iam_does(moto: MotoPeer) -> None:
    ChaosControl(moto.url).start(seed=1, rate=1.0, kinds=["throttle"], operations=["GetRole"])
    with pytest.raises(ClientError) as caught:
        moto.boto3_client("iam", ONCE).get_role(RoleName="any")
    assert caught.value.response["Error"]["Code"] == "Throttling"


def test_a_reset_drops_the_connection_and_may_come_after_the_effect(moto: MotoPeer) -> None:
    ChaosControl(moto.url).start(seed=3, rate=1.0, kinds=["reset"])
    outcomes = create_secrets(moto, 10)
    injected = ChaosControl(moto.url).stop()["injected"]
    assert outcomes == ["reset"] * 10
    landed = moto.boto3_client("secretsmanager").batch_get_secret_value(
        SecretIdList=[f"chaos-{i}" for i in range(10)]
    )["SecretValues"]
    assert len(landed) == injected["reset-after"]["CreateSecret"]


def test_a_held_request_waits_for_its_release(moto: MotoPeer) -> None:
    chaos = ChaosControl(moto.url)
    chaos.hold(["CreateSecret"], nth=2)
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(create_secrets(moto, 2)))
    worker.start()
    deadline = time.monotonic() + 10
    while chaos.held() != "CreateSecret":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert results == []
    chaos.release()
    worker.join(10)
    assert results == [["ok", "ok"]]


def test_the_authorization_server_throttles_with_retry_after(
    sandbox_authserver: SandboxAuthServerPeer,
) -> None:
    chaos = ChaosControl(sandbox_authserver.issuer)
    chaos.start(seed=1, rate=1.0, kinds=["throttle"], operations=["register"])
    try:
        answer = httpx.post(f"{sandbox_authserver.issuer}/register", json={})
    finally:
        chaos.stop()
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
