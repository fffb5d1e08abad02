"""Durations are written like 15m, 1h30m or 30d; the limits on them are reported where set."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.desired import format_duration, parse_duration

from .helpers import loads, the_error


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", timedelta(minutes=15)),
        ("30d", timedelta(days=30)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("45s", timedelta(seconds=45)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("90m", timedelta(minutes=90)),
    ],
)
def test_a_duration_in_days_hours_minutes_and_seconds_parses(
    text: str, expected: timedelta
) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["1x", "", "h", "-5m", "15 m", "1.5h", "15M", "m15", "30m1h", "1h 30m", "P1D", "99999999999d"],
)
def test_a_duration_that_does_not_parse_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration|is too long a duration"):
        parse_duration(text)


@pytest.mark.parametrize("value", [15, 1.5, None, ["15m"]])
def test_a_duration_that_is_not_a_string_is_a_value_error(value: object) -> None:
    with pytest.raises(ValueError, match="expected a duration such as '15m'"):
        parse_duration(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(minutes=15), "15m"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(days=30), "30d"),
        (timedelta(minutes=60), "1h"),
        (timedelta(0), "0s"),
    ],
)
def test_a_duration_formats_in_its_shortest_form(value: timedelta, text: str) -> None:
    assert format_duration(value) == text


@given(st.integers(min_value=0, max_value=10**8).map(lambda s: timedelta(seconds=s)))
@settings(max_examples=200, deadline=None)
def test_formatting_then_parsing_a_duration_gives_it_back(value: timedelta) -> None:
    assert parse_duration(format_duration(value)) == value


# Limits, reported at the value


ROLE = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: Role
metadata: {name: writer}
spec:
  scopes: [orders.write]
  tokenLifetime: LIFETIME
"""

SERVICE = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: Service
metadata: {name: billing}
spec:
  role: orders-reader
  cluster: prod
  taskDefinition: {family: billing, container: app}
  secret: SECRET
"""


@pytest.mark.parametrize("lifetime", ["2h", "61m", "1h1s", "1d"])
def test_a_token_lifetime_over_one_hour_is_an_error_at_the_value(
    tmp_path: Path, lifetime: str
) -> None:
    error = the_error(tmp_path, ROLE.replace("LIFETIME", lifetime))
    assert error.where == "test.yaml:6:18"
    assert error.message == (
        "spec.tokenLifetime: tokenLifetime is over the 1h maximum; short-lived means at most 1h"
    )


@pytest.mark.parametrize("lifetime", ["1h", "60m", "5m", "15m"])
def test_a_token_lifetime_from_five_minutes_to_one_hour_is_accepted(
    tmp_path: Path, lifetime: str
) -> None:
    state = loads(tmp_path, ROLE.replace("LIFETIME", lifetime))
    assert state.roles["writer"].spec.token_lifetime == parse_duration(lifetime)


def test_a_token_lifetime_under_five_minutes_is_an_error_at_the_value(tmp_path: Path) -> None:
    error = the_error(tmp_path, ROLE.replace("LIFETIME", "4m59s"))
    assert error.where == "test.yaml:6:18"
    assert "tokenLifetime is under 5m" in error.message


def test_a_token_lifetime_defaults_to_one_hour(tmp_path: Path) -> None:
    state = loads(tmp_path, ROLE.replace("  tokenLifetime: LIFETIME\n", ""))
    assert state.roles["writer"].spec.token_lifetime == timedelta(hours=1)


@pytest.mark.parametrize("lifetime", ["15 minutes", "1x", "'-5m'", "''", "15"])
def test_a_token_lifetime_that_does_not_parse_is_an_error_at_the_value(
    tmp_path: Path, lifetime: str
) -> None:
    error = the_error(tmp_path, ROLE.replace("LIFETIME", lifetime))
    assert error.where == "test.yaml:6:18"
    assert error.message.startswith("spec.tokenLifetime: ")
    assert "write it like '15m', '1h30m' or '30d'" in error.message or (
        "expected a duration such as '15m'" in error.message
    )


def test_an_absurdly_long_duration_is_an_error_not_a_crash(tmp_path: Path) -> None:
    error = the_error(tmp_path, ROLE.replace("LIFETIME", "99999999999999999999d"))
    assert error.where == "test.yaml:6:18"
    assert error.message.startswith("spec.tokenLifetime: ")


@pytest.mark.parametrize(
    ("secret", "column", "message"),
    [
        ("{rotateEvery: soon}", 25, "spec.secret.rotateEvery: 'soon' is not a duration"),
        ("{gracePeriod: 1 hour}", 25, "spec.secret.gracePeriod: '1 hour' is not a duration"),
        ("{rotateEvery: 1d, gracePeriod: 1d}", 42, "gracePeriod must be shorter than rotateEvery"),
        ("{rotateEvery: 2h, gracePeriod: 3h}", 42, "gracePeriod must be shorter than rotateEvery"),
        ("{rotateEvery: 30m, gracePeriod: 5m}", 25, "rotateEvery is under 1h"),
    ],
)
def test_a_bad_secret_duration_is_an_error_at_the_value(
    tmp_path: Path, secret: str, column: int, message: str
) -> None:
    error = the_error(tmp_path, SERVICE.replace("SECRET", secret))
    assert error.where == f"test.yaml:8:{column}"
    assert message in error.message


def test_a_rotation_as_short_as_the_default_grace_period_is_an_error_at_the_secret(
    tmp_path: Path,
) -> None:
    # gracePeriod defaults to 1h, so rotating every hour leaves no grace at all.
    error = the_error(tmp_path, SERVICE.replace("SECRET", "{rotateEvery: 1h}"))
    assert error.where == "test.yaml:8:11"
    assert error.message == "spec.secret.gracePeriod: gracePeriod must be shorter than rotateEvery"


def test_secret_durations_default_to_thirty_days_and_one_hour(tmp_path: Path) -> None:
    state = loads(tmp_path, SERVICE.replace("  secret: SECRET\n", ""))
    secret = state.services["billing"].spec.secret
    assert (secret.rotate_every, secret.grace_period) == (timedelta(days=30), timedelta(hours=1))
