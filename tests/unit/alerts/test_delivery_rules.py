"""The pure rules of delivery: which answers are retried, how long to wait, what is logged."""

from __future__ import annotations

import pytest

from controller.alerts import DeliveryFailed, RetryPolicy, SlackTarget, WebhookTarget
from controller.alerts._targets import check_status

SLACK_URL = "https://hooks.slack.com/services/T000/B000/s3cr3tPath"


@pytest.mark.parametrize("status", [200, 201, 204])
def test_any_2xx_is_delivered(status: int) -> None:
    check_status(status, None)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_overload_rate_limits_and_server_errors_are_retried(status: int) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        check_status(status, None)

    assert failed.value.retryable
    assert failed.value.reason == f"HTTP {status}"


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_other_client_errors_are_given_up_at_once(status: int) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        check_status(status, None)

    assert not failed.value.retryable


@pytest.mark.parametrize(
    ("header", "seconds"), [("3", 3.0), ("0.5", 0.5), ("soon", None), ("nan", None), ("-1", None)]
)
def test_retry_after_is_read_in_seconds_and_nonsense_is_ignored(
    header: str, seconds: float | None
) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        check_status(429, header)

    assert failed.value.retry_after == seconds


def test_backoff_doubles_up_to_its_cap() -> None:
    policy = RetryPolicy(first_backoff=0.5, max_backoff=3.0)

    assert [policy.backoff(attempt) for attempt in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]


def test_a_receivers_retry_after_wins_but_stays_under_the_cap() -> None:
    policy = RetryPolicy(first_backoff=0.5, max_backoff=3.0)

    assert policy.backoff(1, retry_after=2.0) == 2.0
    assert policy.backoff(1, retry_after=3600.0) == 3.0


@pytest.mark.parametrize("target", [SlackTarget(SLACK_URL), WebhookTarget(SLACK_URL)])
def test_a_target_shows_only_the_host_of_its_url(target: SlackTarget | WebhookTarget) -> None:
    assert target.host == "hooks.slack.com"
    assert "s3cr3t" not in repr(target)
    assert "s3cr3t" not in str(target)
