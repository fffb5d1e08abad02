"""Chat targets: a Slack incoming webhook and a generic JSON webhook, one POST per attempt.

A webhook URL is a credential (Slack's path is the secret), so a target's repr hides it
and logs name only its host. Retrying is the notifier's job: each ``send`` is one attempt.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from controller.alerts._format import slack_message, webhook_document
from controller.alerts._model import Alert

# Worth another attempt: the receiver is overloaded, rate-limiting or briefly broken.
RETRY_STATUSES = frozenset({408, 429})

# slack-sdk logs the full URL and body at DEBUG whenever its logger's own level is NOTSET
# or DEBUG, whatever the handlers say; a logger pinned above DEBUG switches that off.
_SDK_LOGGER = logging.getLogger(__name__ + ".slack_sdk")
_SDK_LOGGER.setLevel(logging.INFO)


class DeliveryFailed(Exception):
    """One attempt failed; ``reason`` is safe to log (a status or an error class name)."""

    def __init__(self, reason: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class Target(Protocol):
    """Somewhere alerts go; ``name`` labels metrics and logs, ``host`` is safe to log."""

    @property
    def name(self) -> str: ...

    @property
    def host(self) -> str: ...

    async def send(self, http: aiohttp.ClientSession, alert: Alert, at: datetime) -> None:
        """Deliver once or raise (``DeliveryFailed``, or aiohttp's and the OS's errors)."""
        ...


@dataclass(frozen=True)
class SlackTarget:
    """A Slack incoming webhook, through slack-sdk's async client on our aiohttp session."""

    url: str = field(repr=False)
    name: str = "slack"

    @property
    def host(self) -> str:
        return _host(self.url)

    async def send(self, http: aiohttp.ClientSession, alert: Alert, at: datetime) -> None:
        client = AsyncWebhookClient(self.url, session=http, retry_handlers=[], logger=_SDK_LOGGER)
        response = await client.send_dict(slack_message(alert))
        check_status(response.status_code, response.headers.get("Retry-After"))


@dataclass(frozen=True)
class WebhookTarget:
    """Any HTTP endpoint that accepts the JSON document ``webhook_document`` describes."""

    url: str = field(repr=False)
    name: str = "webhook"

    @property
    def host(self) -> str:
        return _host(self.url)

    async def send(self, http: aiohttp.ClientSession, alert: Alert, at: datetime) -> None:
        body = json.dumps(webhook_document(alert, at))
        headers = {"content-type": "application/json"}
        # A redirect would resend the alert somewhere the operator never configured.
        async with http.post(self.url, data=body, headers=headers, allow_redirects=False) as res:
            await res.content.read(MAX_RESPONSE_BYTES)  # drained, never kept whole
            check_status(res.status, res.headers.get("Retry-After"))


MAX_RESPONSE_BYTES = 64 * 1024  # a chat receiver's answer is read only to be dropped


def refusing_redirects() -> aiohttp.TraceConfig:
    """A session trace that stops any redirect. slack-sdk posts with aiohttp's default of
    following them, and a redirect would resend the alert, and the webhook's secret path
    in the referrer, somewhere the operator never configured."""
    trace = aiohttp.TraceConfig()

    async def on_redirect(
        _session: aiohttp.ClientSession,
        _context: object,
        params: aiohttp.TraceRequestRedirectParams,
    ) -> None:
        status = params.response.status
        raise DeliveryFailed(f"HTTP {status} redirect refused", retryable=False)

    trace.on_request_redirect.append(on_redirect)
    return trace


def check_status(status: int, retry_after: str | None) -> None:
    """Accept 2xx; 408, 429 and 5xx may be retried; anything else will not get better."""
    if 200 <= status < 300:
        return
    retryable = status in RETRY_STATUSES or status >= 500
    raise DeliveryFailed(f"HTTP {status}", retryable=retryable, retry_after=_seconds(retry_after))


def _seconds(retry_after: str | None) -> float | None:
    """``Retry-After`` in seconds; the HTTP-date form is rare for webhooks and ignored."""
    try:
        seconds = float(retry_after) if retry_after is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None


def _host(url: str) -> str:
    return urlsplit(url).hostname or "(no host)"
