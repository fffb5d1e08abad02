"""Tasks that keep asking for tokens while their service's credential rotates.

Two kinds of task take turns, as during a real rollout: tasks already running, which hold
the credentials ECS injected before the rotation and are only replaced by the rollout,
and tasks starting now, which get whatever AWSCURRENT holds at that moment (so the old
credential before finish, the new one after). Every token request either kind makes must
succeed; a request counts as failed whatever the reason.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from controller.engine import RotationStep

from ._view import Credentials, credentials_at, token_request
from .conftest import Rotating

CALLS_AFTER_THE_ROTATION = 5


@dataclass
class Workload:
    rotating: Rotating
    service: str
    running: Credentials  # what the tasks started before the rotation hold
    replaced: asyncio.Event = field(default_factory=asyncio.Event)  # the rollout completed
    last_call: int | None = None  # stop once "new task" calls reach this count
    calls: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    async def run(self) -> None:
        async with httpx.AsyncClient() as http:
            while self.last_call is None or self.calls["new task"] < self.last_call:
                if not self.replaced.is_set():
                    await self._token(http, "running task", self.running)
                starting = await asyncio.to_thread(
                    credentials_at, self.rotating.world, self.service
                )
                kind = "new task, old credential" if starting == self.running else "new task"
                await self._token(http, kind, starting)

    async def _token(self, http: httpx.AsyncClient, kind: str, credentials: Credentials) -> None:
        self.calls[kind] += 1
        try:
            response = await http.post(**token_request(credentials))
        except httpx.HTTPError as exc:
            self.failures.append(f"{kind}: {type(exc).__name__}")
            return
        if response.status_code != 200:
            self.failures.append(f"{kind}: HTTP {response.status_code} {response.text[:200]}")


async def rotate_under_load(
    rotating: Rotating, service: str
) -> tuple[Workload, list[RotationStep]]:
    """A whole rotation on the real clock (grace period waited out) while the workload runs."""
    workload = Workload(rotating, service, credentials_at(rotating.world, service))
    tasks = asyncio.create_task(workload.run())
    steps: list[RotationStep] = []
    async with rotating.controller() as world:
        step = await rotating.advance(world, service, force=True)
        steps.append(step)
        while not step.done and step.failure is None:
            if step.phase == "revoke":
                workload.replaced.set()  # the rollout replaced every task started before
            assert step.requeue_after is not None
            await asyncio.sleep(step.requeue_after.total_seconds())
            step = await rotating.advance(world, service, now=datetime.now(UTC))
            steps.append(step)
    workload.last_call = workload.calls["new task"] + CALLS_AFTER_THE_ROTATION
    await tasks
    return workload, steps
