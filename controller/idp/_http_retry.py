"""Bounded retries of one IdP HTTP call, and which calls may be sent twice.

An IdP under load answers 429 (Okta, with Retry-After) or 5xx, or drops the connection.
Every call is retried a few times with jittered exponential back-off, waiting what
Retry-After asks when it says (up to a cap; longer, and the call fails for the next pass
to try). A 408 or 429 means the server did not act, so any call may be sent again. A 5xx or
a dropped connection may come after it acted: an RFC 7591 registration is then not sent
again, as a second POST would make a second client; its lost answer is the one window
RFC 7591 cannot close (README, "Creating safely").
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from controller.idp._oidc_wire import REQUEST_TIMEOUT, bounded_text
from controller.idp._types import IdpUnavailable

MAX_ATTEMPTS = 4
BASE_DELAY_SECONDS = 0.2
MAX_DELAY_SECONDS = 5.0
MAX_RETRY_AFTER_SECONDS = 20.0
NOT_ACTED_ON = frozenset({408, 429})


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    retry_after: float | None = None  # seconds, from the Retry-After header


async def answer_of(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    headers: Mapping[str, str],
    *,
    json: Any = None,
    data: Any = None,
) -> Answer:
    """One request as an Answer. Redirects are not followed (a token or credential must not
    travel to another host) and the body is read up to a bound; aiohttp's errors and the
    timeout reach the caller, which names the call in its own error."""
    async with http.request(
        method,
        url,
        headers=headers,
        json=json,
        data=data,
        allow_redirects=False,
        raise_for_status=False,
        timeout=REQUEST_TIMEOUT,
    ) as response:
        text = await bounded_text(response)
        return Answer(
            response.status, text, retry_after_seconds(response.headers.get("Retry-After"))
        )


def retry_after_seconds(header: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if not header:
        return None
    value = header.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int) -> float:
    """Full jitter: a random wait up to BASE * 2^(attempt-1), capped."""
    ceiling = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** (attempt - 1))
    return random.uniform(0, ceiling)  # noqa: S311 (spreading retries, not a secret)


def _worth_retrying(answer: Answer, replayable: bool) -> bool:
    if answer.status in NOT_ACTED_ON:
        return answer.retry_after is None or answer.retry_after <= MAX_RETRY_AFTER_SECONDS
    return answer.status >= 500 and replayable


async def send_with_retries(
    send: Callable[[], Awaitable[Answer]],
    *,
    replayable: bool,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Answer:
    """The first answer not worth retrying, or the last one. ``send`` raises IdpUnavailable
    when no answer came; that is retried only when the call is ``replayable``."""
    attempt = 0
    while True:
        attempt += 1
        try:
            answer = await send()
        except IdpUnavailable:
            if not replayable or attempt >= MAX_ATTEMPTS:
                raise
            await sleep(backoff_seconds(attempt))
            continue
        if attempt >= MAX_ATTEMPTS or not _worth_retrying(answer, replayable):
            return answer
        wait = answer.retry_after
        await sleep(backoff_seconds(attempt) if wait is None else wait)
