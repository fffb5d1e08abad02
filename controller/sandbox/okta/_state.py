"""What the local Okta org holds, and the answers every part of it shares."""

from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from joserfc.jwk import RSAKey

RATE_LIMIT = 600
# A page of apps or scopes when the client names no ``limit``: the document leaves the
# default to the server, so the peer pages small and a client that does not follow
# ``Link: rel="next"`` misses objects here before it would at Okta.
DEFAULT_PAGE = 20
BODY: web.RequestKey[Any] = web.RequestKey("body", object)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(8)


def error(status: int, code: str, summary: str) -> web.Response:
    body = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": new_id("oae"),
        "errorCauses": [],
    }
    return web.json_response(body, status=status)


@dataclass(frozen=True)
class Logged:
    """One management request as the org saw it: when it arrived, and what the answer
    said of the org's budget (``remaining`` 0 until ``reset``, epoch seconds)."""

    at: float
    method: str
    path: str
    status: int
    remaining: int | None
    reset: int | None


@dataclass
class OktaOrg:
    """What the org holds, and what the tests may look at or change by hand."""

    api_token: str
    server_id: str
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)
    scopes: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # Each app's client secrets (at most two), oldest first.
    secrets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # OAuth service apps allowed on the management API: client id -> public key, scopes.
    service_apps: dict[str, tuple[RSAKey, frozenset[str]]] = field(default_factory=dict)
    # Management access tokens issued to them: token -> (scopes, expiry).
    access_tokens: dict[str, tuple[frozenset[str], float]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    log: list[Logged] = field(default_factory=list)
    # The next this-many management calls are answered 429 (a rate-limit storm).
    throttle_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def page(request: web.Request, items: list[dict[str, Any]], base: str) -> web.Response:
    """One page of ``items`` as Okta pages a list: ``limit`` per page, the next page's
    cursor (``after``, opaque: the last id shown) in a ``Link: <...>; rel="next"``."""
    size = int(request.query.get("limit", DEFAULT_PAGE))
    size = DEFAULT_PAGE if size < 1 else size
    after = request.query.get("after")
    start = 0
    if after is not None:
        ids = [item["id"] for item in items]
        start = ids.index(after) + 1 if after in ids else len(items)
    shown = items[start : start + size]
    answer = web.json_response(shown)
    if start + size < len(items):
        query = {k: v for k, v in request.query.items() if k != "after"}
        query["after"] = shown[-1]["id"]
        answer.headers["Link"] = f'<{base}{request.rel_url.with_query(query)}>; rel="next"'
    return answer


def basic(header: str) -> tuple[str | None, str | None]:
    if not header.startswith("Basic "):
        return None, None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None, None
    return user, password


def oauth_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)


class Peer:
    """What every part of the server reads: the org, its public origin, its signing key."""

    org: OktaOrg
    base: str
    key: RSAKey
