"""The fence every write passes: open only while this process's lease is surely valid.

A lease alone cannot stop two writers: a leader whose renewal hangs, or whose process
paused, does not know it lost the lease and writes on. The fence turns the lease's local
view into a hard stop: the lease moves ``valid_until`` (local monotonic seconds, counted
from the *start* of the request that renewed it), and each write first asks the fence.
A standby takes over only a full lease duration after it last saw the item change, which
is after ``valid_until`` here; the safety margin covers clock-rate drift and a write
already on the wire when the fence closes.

Without a lease table there is one replica and nothing to fence: the fence stays open.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from controller.aws._errors import LeadershipLost

# Read-only operation prefixes: everything else AWS offers changes something.
READ_PREFIXES = ("Describe", "List", "Get", "BatchGet")


def is_write(operation: str) -> bool:
    """Whether an AWS operation (by its API name) may change something."""
    return not operation.startswith(READ_PREFIXES)


class Fence:
    """``valid_until`` on the local monotonic clock, kept up to date by the lease."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.enforced = False  # no lease: a single replica, always open
        self.margin = 0.0
        self.valid_until = float("-inf")

    def enforce(self, margin: float) -> None:
        """From now on writes need a valid lease, ``margin`` seconds short of its end."""
        self.enforced = True
        self.margin = margin

    def extend(self, valid_until: float) -> None:
        self.valid_until = valid_until

    def close(self) -> None:
        self.valid_until = float("-inf")

    def is_open(self) -> bool:
        return not self.enforced or self._clock() < self.valid_until - self.margin

    def remaining(self) -> float:
        """Seconds of writing left (infinite without a lease; negative when closed)."""
        if not self.enforced:
            return float("inf")
        return self.valid_until - self.margin - self._clock()

    def check(self, operation: str) -> None:
        """Raise :class:`LeadershipLost` unless a write may go out now."""
        if not self.is_open():
            raise LeadershipLost(
                operation, "this replica does not hold a valid lease; the write was not sent"
            )
