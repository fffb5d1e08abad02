"""The chat receiver answers like Slack and a plain webhook, and fails on demand.

Notification tests lean on it to see what was sent and to force retries, so
its own behaviour is pinned down here.
"""

from __future__ import annotations

import httpx
import pytest

from tests.harness.chat import ChatReceiver


def test_the_receiver_records_a_posted_json_body(chat: ChatReceiver) -> None:
    response = httpx.post(chat.slack_url, json={"text": "client rotated"})

    assert response.status_code == 200
    assert response.text == "ok"
    [message] = chat.wait_for(1, timeout=2)
    assert message.path == "/slack/T000/B000/XXXX"
    assert message.body == {"text": "client rotated"}
    assert message.headers["content-type"] == "application/json"
    assert message.status == 200


def test_the_generic_webhook_answers_no_content(chat: ChatReceiver) -> None:
    response = httpx.post(chat.webhook_url, json={"event": "drift"})

    assert response.status_code == 204
    assert chat.wait_for(1, timeout=2)[0].body == {"event": "drift"}


def test_fail_next_makes_the_next_post_get_500_and_the_one_after_succeed(
    chat: ChatReceiver,
) -> None:
    chat.fail_next(1)

    failed = httpx.post(chat.slack_url, json={"text": "first try"})
    retried = httpx.post(chat.slack_url, json={"text": "first try"})

    assert failed.status_code == 500
    assert retried.status_code == 200
    assert [message.status for message in chat.wait_for(2, timeout=2)] == [500, 200]


def test_fail_next_answers_with_the_chosen_status(chat: ChatReceiver) -> None:
    chat.fail_next(2, status=429)

    statuses = [httpx.post(chat.webhook_url, json={}).status_code for _ in range(3)]

    assert statuses == [429, 429, 204]


def test_a_non_json_body_is_kept_raw(chat: ChatReceiver) -> None:
    httpx.post(chat.webhook_url, content=b"payload=not-json")

    [message] = chat.wait_for(1, timeout=2)
    assert message.body is None
    assert message.raw == b"payload=not-json"


def test_delay_holds_the_answer_but_records_the_post_at_once(chat: ChatReceiver) -> None:
    chat.delay(5)

    with pytest.raises(httpx.ReadTimeout):
        httpx.post(chat.webhook_url, json={"text": "slow"}, timeout=0.2)

    assert chat.wait_for(1, timeout=1)[0].body == {"text": "slow"}


def test_wait_for_names_what_arrived_when_too_little_did(chat: ChatReceiver) -> None:
    httpx.post(chat.webhook_url, json={"text": "only one"})

    with pytest.raises(TimeoutError, match="only one"):
        chat.wait_for(2, timeout=0.2)


def test_clear_forgets_the_recorded_messages(chat: ChatReceiver) -> None:
    httpx.post(chat.webhook_url, json={"text": "old"})
    chat.wait_for(1, timeout=2)

    chat.clear()
    httpx.post(chat.webhook_url, json={"text": "new"})

    assert [message.body for message in chat.wait_for(1, timeout=2)] == [{"text": "new"}]
