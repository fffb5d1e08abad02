"""At most N messages a minute per target; what comes on top is folded into one summary."""

from __future__ import annotations

import pytest

from controller.alerts import Alert, Drift, drift_alert, summary, wait_before_next
from controller.alerts._pacing import fold

LIMIT = 3


def _incident(name: str) -> Alert:
    return drift_alert([Drift(f"Service/{name}", "ecs:task-definition", name, ("cpu",), True)])


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestTheWindow:
    def test_messages_under_the_limit_go_at_once(self) -> None:
        clock = FakeClock()

        assert wait_before_next([clock.now - 5, clock.now - 1], clock(), LIMIT) == 0

    def test_the_message_over_the_limit_waits_until_the_oldest_leaves_the_minute(self) -> None:
        clock = FakeClock()
        sent = [clock.now - 50, clock.now - 10, clock.now - 1]

        assert wait_before_next(sent, clock(), LIMIT) == pytest.approx(10.0)

    def test_a_minute_later_there_is_room_again(self) -> None:
        clock = FakeClock()
        sent = [clock.now, clock.now, clock.now]
        clock.now += 60

        assert wait_before_next(sent, clock(), LIMIT) == 0

    def test_only_the_last_minute_counts(self) -> None:
        clock = FakeClock()
        sent = [clock.now - 600 + n for n in range(100)] + [clock.now - 30]

        assert wait_before_next(sent, clock(), LIMIT) == 0


class TestTheSummary:
    def test_it_counts_the_held_incidents_and_names_their_objects(self) -> None:
        held = [_incident(name) for name in ("orders-api", "billing", "orders-api")]

        folded = summary(held)

        assert folded.kind == "summary"
        assert folded.title == "And 3 more incidents"
        assert folded.text == (
            "And 3 more incidents: Service/orders-api, Service/billing "
            "(held back by the rate limit)."
        )
        assert len(folded.details) == 3

    def test_one_held_incident_is_one_incident(self) -> None:
        assert summary([_incident("a")]).title == "And 1 more incident"

    def test_a_long_overflow_names_twenty_objects_and_counts_the_rest(self) -> None:
        folded = summary([_incident(f"s{n}") for n in range(25)])

        assert "Service/s19 and 5 more (held" in folded.text
        assert len(folded.details) == 20

    def test_nothing_held_is_no_summary(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            summary([])

    def test_a_single_held_incident_goes_out_as_it_is(self) -> None:
        held = _incident("orders-api")

        assert fold([held]) is held

    def test_several_held_incidents_go_out_as_one_summary(self) -> None:
        assert fold([_incident("a"), _incident("b")]).kind == "summary"
