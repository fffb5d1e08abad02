"""One aiobotocore session per process, one client per service, every call counted.

Retries are botocore's (adaptive mode: jittered backoff plus a client-side token bucket
after the first throttle); we add only the shared write-rate limiters AWS documents per
account and Region, which botocore cannot know about.
"""

from __future__ import annotations

import os
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiobotocore.session import AioSession, get_session
from aiolimiter import AsyncLimiter
from botocore.config import Config

from controller.aws._fence import Fence, is_write

SERVICES = ("ecs", "iam", "secretsmanager", "cognito-idp", "sts", "dynamodb", "sqs")
# The lease's own calls are fenced by their conditions (holder and rvn), not by the fence
# they keep open; the controller uses DynamoDB for nothing else. Receiving and deleting
# change events (SQS) changes no managed resource.
UNFENCED_SERVICES = frozenset({"dynamodb", "sqs"})


@dataclass
class CallCounter:
    """Calls by ``(service, operation)``: for metrics, benchmarks and call-budget tests."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def record(self, service: str, operation: str) -> None:
        self.counts[(service, operation)] += 1

    def total(self) -> int:
        return sum(self.counts.values())

    def reset(self) -> None:
        self.counts.clear()


@dataclass(frozen=True)
class RateLimits:
    """Writes per second AWS allows per account and Region (FACTS.md), shared by all tasks."""

    ecs_task_definition_writes: float = 1.0
    ecs_task_definition_burst: int = 20
    cognito_per_pool: float = 5.0
    okta_per_org: float = 5.0


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class AwsClients:
    """The clients the adapters share, opened together and closed together."""

    def __init__(
        self,
        *,
        region: str | None = None,
        max_connections: int = 16,
        limits: RateLimits | None = None,
        counter: CallCounter | None = None,
        fence: Fence | None = None,
    ) -> None:
        self.region = region or _region()
        self.counter = counter or CallCounter()
        self.limits = limits or RateLimits()
        self.fence = fence or Fence()
        self._max_connections = max_connections
        self._stack = AsyncExitStack()
        self._clients: dict[str, Any] = {}
        self._session: AioSession = get_session()
        self._session.register("before-call", self._count)
        # Before every attempt, retries included: a retry after a backoff may come after
        # the lease ran out, so checking once per call is not enough.
        self._session.register("before-send", self._fenced)
        self.task_definition_writes = AsyncLimiter(
            self.limits.ecs_task_definition_burst,
            self.limits.ecs_task_definition_burst / self.limits.ecs_task_definition_writes,
        )
        self._cognito_limiters: dict[str, AsyncLimiter] = {}

    def _count(self, model: Any, **_: Any) -> None:
        self.counter.record(model.service_model.service_name, model.name)

    def _fenced(self, event_name: str, **_: Any) -> None:
        service, operation = event_name.split(".")[1:3]
        if service not in UNFENCED_SERVICES and is_write(operation):
            self.fence.check(operation)

    def cognito_limiter(self, user_pool_id: str) -> AsyncLimiter:
        """Cognito allows about 5 requests per second per operation and user pool."""
        if user_pool_id not in self._cognito_limiters:
            self._cognito_limiters[user_pool_id] = AsyncLimiter(self.limits.cognito_per_pool, 1)
        return self._cognito_limiters[user_pool_id]

    async def __aenter__(self) -> Self:
        config = Config(
            region_name=self.region,
            retries={"mode": "adaptive", "total_max_attempts": 6},
            max_pool_connections=self._max_connections,
            connect_timeout=5,
            read_timeout=30,
        )
        for service in SERVICES:
            creator = self._session.create_client(service, config=config)
            self._clients[service] = await self._stack.enter_async_context(creator)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stack.aclose()

    def client(self, service: str) -> Any:
        return self._clients[service]
