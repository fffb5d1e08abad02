"""``POST /hooks/git``: the git provider says a push happened; fetch now.

The endpoint is open to whatever reaches the port, so only a request signed with the
shared secret counts: GitHub's ``X-Hub-Signature-256`` (an HMAC-SHA256 of the body) or
GitLab's ``X-Gitlab-Token`` (the secret itself). Anything else is 401 and triggers nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Mapping

import structlog
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
BODY_TIMEOUT = 10.0  # a push event is a few kilobytes; a trickled body is dropped
MAX_BODY_BYTES = 1 << 20
log = structlog.get_logger("ecs_oauth.daemon")


def signature_valid(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """Pure: whether the request carries GitHub's or GitLab's proof of the secret."""
    github = headers.get("X-Hub-Signature-256")
    if github is not None:
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(github.encode(), expected.encode())
    gitlab = headers.get("X-Gitlab-Token")
    if gitlab is not None:
        return hmac.compare_digest(gitlab.encode(), secret.encode())
    return False


class GitHook:
    def __init__(self, secret: str, fetch_now: Callable[[], None]) -> None:
        self._secret = secret
        self._fetch_now = fetch_now

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return web.Response(status=413, text="body too large\n")
        try:
            async with asyncio.timeout(BODY_TIMEOUT):
                body = await request.read()
        except TimeoutError:
            return web.Response(status=408, text="body not received in time\n")
        if not signature_valid(self._secret, body, request.headers):
            log.warning("git_hook_refused", reason="missing or wrong signature")
            return web.Response(status=401, text="signature missing or wrong\n")
        log.info("git_hook_received", githubEvent=request.headers.get("X-GitHub-Event", ""))
        self._fetch_now()
        return web.Response(status=202, text="fetching\n")
