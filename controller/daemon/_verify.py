"""The safety net's budget: which objects a resync deep-verifies, and when.

Why: a resync that deep-reads every object bursts about 36 calls per Service per hour at
the 5-minute default, most of them reads of things that did not change. Cheap batch reads
(DescribeServices ten at a time, ListSecrets, one IAM authorization-details read) say
which objects *may* have changed; only those are deep-verified at once, and every object
at least once per ``verifyInterval`` so that what no batch read shows (a Cognito client
edited by hand, a revision registered but not run) is still caught. The deep reads are
paced under ``limits.readBudget`` times the read quotas AWS documents.

Pure: no I/O and no clock of its own, so the decision and the arithmetic are unit tested.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Sustained reads per second AWS allows, per account and Region (/work/shared/FACTS.md,
# "AWS request limits"), and the burst where AWS documents one. The one table the budget
# reads; the keys name the quota, not an operation, because operations share quotas.
READ_QUOTAS: dict[str, tuple[float, float]] = {
    # DescribeTaskDefinition, ListTaskDefinitions, ListFamilies: 50 burst / 20 sustained.
    "ecs-task-definition-read": (20.0, 50.0),
    # DescribeServices (10 services a call) and the other service reads: 100 / 20.
    "ecs-service-read": (20.0, 100.0),
    # DescribeSecret + GetSecretValue: 10,000/s combined.
    "secretsmanager-read": (10_000.0, 10_000.0),
    # DescribeUserPoolClient: UserPoolClientRead, at most 5/s per user pool.
    "cognito-client-read": (5.0, 5.0),
    # IAM publishes no numbers and cannot raise them; assumed low on purpose.
    "iam-read": (10.0, 10.0),
}

# The operations counted against each quota, for the budget-use metric.
QUOTA_OF_OPERATION: dict[tuple[str, str], str] = {
    ("ecs", "DescribeTaskDefinition"): "ecs-task-definition-read",
    ("ecs", "ListTaskDefinitions"): "ecs-task-definition-read",
    ("ecs", "ListTagsForResource"): "ecs-task-definition-read",
    ("ecs", "DescribeServices"): "ecs-service-read",
    ("secretsmanager", "DescribeSecret"): "secretsmanager-read",
    ("secretsmanager", "GetSecretValue"): "secretsmanager-read",
    ("secretsmanager", "ListSecrets"): "secretsmanager-read",
    ("cognito-idp", "DescribeUserPoolClient"): "cognito-client-read",
    ("iam", "GetAccountAuthorizationDetails"): "iam-read",
    ("iam", "GetRole"): "iam-read",
    ("iam", "ListRolePolicies"): "iam-read",
    ("iam", "ListAttachedRolePolicies"): "iam-read",
    ("iam", "GetRolePolicy"): "iam-read",
}

# Reads one deep verification costs against each quota, by object kind (measured on the
# moto peer for an object that needs no write: the batch reads are not counted here).
DEEP_READS: dict[str, dict[str, float]] = {
    "Service": {
        "ecs-task-definition-read": 2.0,
        "secretsmanager-read": 3.0,
        "cognito-client-read": 1.0,
        "iam-read": 1.0,
    },
    "Role": {"iam-read": 1.0},
    "IdentityProvider": {"cognito-client-read": 1.0},
}


def verifications_per_second(kinds: Iterable[str], budget: float) -> tuple[float, float]:
    """How many deep verifications a second (and how many at once) keep every quota's
    reads under ``budget`` of it, for the costliest kind among ``kinds``."""
    rate, burst = math.inf, math.inf
    for kind in set(kinds):
        for quota, reads in DEEP_READS.get(kind, {}).items():
            sustained, allowed_burst = READ_QUOTAS[quota]
            rate = min(rate, budget * sustained / reads)
            burst = min(burst, budget * allowed_burst / reads)
    if math.isinf(rate):
        return math.inf, math.inf
    return rate, max(burst, 1.0)


# Recorded in place of a signal after the controller's own write with events on: the next
# resync's signal becomes the object's baseline without a deep read (a change by hand in
# between came as an event of its own).
ADOPT = "\x00adopt-next-signal"


@dataclass(frozen=True)
class Verified:
    signal: str | None  # the batch signal seen at the resync that led to the verification
    at: float  # seconds (wall clock) when the verification succeeded


@dataclass(frozen=True)
class Choice:
    unknown: list[str]  # never verified by this process: verified at once, unpaced
    changed: list[str]  # the batch signal moved: verified first
    unsignalled: list[str]  # a kind no batch read covers (identity providers): every resync
    due: list[str]  # no sign of change, but their turn under verifyInterval came
    skipped: int  # left to the next resync

    @property
    def first(self) -> list[str]:
        return self.changed + self.unsignalled

    @property
    def paced(self) -> list[str]:
        return self.first + self.due


@dataclass
class VerifyLedger:
    """Per object, the batch signal seen at its last deep verification, and when."""

    records: dict[str, Verified] = field(default_factory=dict)
    # The fraction of an object carried to the next resync's share, so that a small world
    # is not read in depth one object per resync, whatever verifyInterval says.
    credit: float = 0.0

    def record(self, key: str, signal: str | None, at: float) -> None:
        self.records[key] = Verified(signal, at)

    def forget(self, key: str) -> None:
        self.records.pop(key, None)

    def choose(
        self,
        signals: Mapping[str, str | None],
        now: float,
        verify_interval: float,
        resync_interval: float,
    ) -> Choice:
        """Which objects this resync deep-verifies.

        A signal of None means the kind has no batch signal (identity providers), so the
        object is verified at every resync. Beyond the changed ones, the objects verified
        longest ago are taken, as many as spread the whole set over ``verify_interval``
        (``n * resync / verify``, its fraction carried over), and any older than
        ``verify_interval`` whatever that share: every object is deep-verified at least
        once per ``verify_interval``.
        """
        unknown, changed, unsignalled, quiet = [], [], [], []
        for key, signal in signals.items():
            known = self.records.get(key)
            if known is None:
                unknown.append(key)
            elif known.signal == ADOPT and signal is not None:
                self.records[key] = Verified(signal, known.at)
                quiet.append(key)
            elif signal is None:
                unsignalled.append(key)
            elif signal != known.signal:
                changed.append(key)
            else:
                quiet.append(key)
        quiet.sort(key=lambda k: self.records[k].at)
        share = len(quiet)
        if verify_interval > 0:
            self.credit += len(signals) * resync_interval / verify_interval
            share = math.floor(self.credit)
            self.credit -= share
        due = [
            key
            for n, key in enumerate(quiet)
            if n < share or now - self.records[key].at >= verify_interval
        ]
        return Choice(unknown, changed, unsignalled, due, len(quiet) - len(due))


def schedule(
    changed: list[str], due: list[str], rate: float, burst: float, window: float
) -> list[tuple[float, str]]:
    """When (seconds from now) each object is verified.

    Changed objects come first, as fast as the budget allows (``burst`` at once, then
    ``rate`` a second); the due ones follow, spread evenly over ``window`` (the resync
    interval) rather than bursting, but never faster than the budget.
    """
    plan: list[tuple[float, str]] = []
    spacing = 0.0 if math.isinf(rate) else 1.0 / rate
    for n, key in enumerate(changed):
        plan.append((max(0.0, (n + 1 - burst) * spacing), key))
    start = plan[-1][0] + spacing if plan else 0.0
    if due:
        step = max(spacing, (window - start) / len(due) if window > start else 0.0)
        plan.extend((start + n * step, key) for n, key in enumerate(due))
    return plan


def budget_used(
    calls: Mapping[tuple[str, str], int], seconds: float, budget: float
) -> dict[str, float]:
    """Per quota, the share of the budget the counted ``calls`` used over ``seconds``:
    1.0 means the reads ran at exactly ``readBudget`` of AWS's sustained quota."""
    used = dict.fromkeys(READ_QUOTAS, 0.0)
    for operation, count in calls.items():
        quota = QUOTA_OF_OPERATION.get(operation)
        if quota is not None:
            used[quota] += count
    return {
        quota: count / (max(seconds, 1e-9) * budget * READ_QUOTAS[quota][0])
        for quota, count in used.items()
    }
