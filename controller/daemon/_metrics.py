"""The daemon's Prometheus metrics, in a registry of its own (tests run several daemons)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from controller.aws import CallCounter

# The *_created series double the page and nobody graphs them.
disable_created_metrics()  # type: ignore[no-untyped-call]


class _Calls(Collector):
    """AWS and IdP calls by service and operation, read from the engine's call counter
    at scrape time rather than mirrored call by call."""

    def __init__(self, counter: CallCounter) -> None:
        self._counter = counter

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "ecs_oauth_api_calls", "AWS and IdP calls made", labels=["service", "operation"]
        )
        for (service, operation), count in sorted(self._counter.counts.items()):
            family.add_metric([service, operation], count)
        yield family


class Metrics:
    def __init__(self, calls: CallCounter, queue_depth: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.reconciles = Counter(
            "ecs_oauth_reconciles",
            "Reconciles by object kind and result",
            ["kind", "result"],
            registry=self.registry,
        )
        self.reconcile_seconds = Histogram(
            "ecs_oauth_reconcile_duration_seconds",
            "Time one reconcile took",
            ["kind", "result"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
            registry=self.registry,
        )
        self.drift_events = Counter(
            "ecs_oauth_drift_events",
            "Drift found: live state left the desired state outside the controller's writes",
            ["kind", "resource"],
            registry=self.registry,
        )
        self.change_events = Counter(
            "ecs_oauth_change_events",
            "CloudTrail events from the queue, by what was done with them",
            ["outcome"],
            registry=self.registry,
        )
        self.alerts = Counter(
            "ecs_oauth_alerts",
            "Chat alerts by target and result",
            ["target", "result"],
            registry=self.registry,
        )
        self.desired_state_errors = Counter(
            "ecs_oauth_desired_state_errors",
            "Loads of the desired state that failed validation",
            registry=self.registry,
        )
        self.desired_state_valid = Gauge(
            "ecs_oauth_desired_state_valid",
            "1 when the desired-state files are valid, 0 while the last valid state runs",
            registry=self.registry,
        )
        self.revision = Gauge(
            "ecs_oauth_desired_state_revision",
            "1 for the git commit being reconciled (a git source's last valid commit)",
            ["revision"],
            registry=self.registry,
        )
        self.verifications = Counter(
            "ecs_oauth_verifications",
            "Objects a resync read in depth (unknown, changed, unsignalled, due) or left to"
            " their batch signal (skipped)",
            ["reason"],
            registry=self.registry,
        )
        self.read_budget_used = Gauge(
            "ecs_oauth_read_budget_used_ratio",
            "Reads between the last two resyncs against each AWS read quota, as a share of"
            " limits.readBudget of it (1 = exactly the budget)",
            ["quota"],
            registry=self.registry,
        )
        self._last_good_cycle = math.nan
        Gauge(
            "ecs_oauth_last_good_cycle_age_seconds",
            "Seconds since the last full cycle without problems",
            registry=self.registry,
        ).set_function(self._last_good_cycle_age)
        Gauge(
            "ecs_oauth_queue_depth", "Objects waiting for a worker", registry=self.registry
        ).set_function(lambda: float(queue_depth()))
        self.registry.register(_Calls(calls))

    def revision_taken(self, sha: str) -> None:
        self.revision.clear()
        self.revision.labels(sha).set(1)

    def good_cycle(self) -> None:
        self._last_good_cycle = time.monotonic()

    def _last_good_cycle_age(self) -> float:
        return time.monotonic() - self._last_good_cycle

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
