"""``POST /hooks/git``: the git provider says a push happened; fetch now.

The endpoint is open to whatever reaches the port, so only a request signed with the
shared secret counts: GitHub's ``X-Hub-Signature-256`` (an HMAC-SHA256 of the body) or
GitLab's ``X-Gitlab-Token`` (the secret itself). Anything else is 401 and triggers nothing.

The secret may be rotated where it is kept (Secrets Manager) while the daemon runs. A
request that fails the check re-reads it, but at most once a minute: the endpoint is open,
and a flood of unsigned requests must not become a flood of GetSecretValue calls.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable, Mapping

import structlog
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
BODY_TIMEOUT = 10.0  # a push event is a few kilobytes; a trickled body is dropped
MAX_BODY_BYTES = 1 << 20
REREAD_AFTER = 60.0  # seconds between reads of the secret prompted by a failed check
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
    def __init__(
        self,
        secret: str,
        reread: Callable[[], Awaitable[str]],
        fetch_now: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secret = secret
        self._reread = reread
        self._fetch_now = fetch_now
        self._clock = clock
        self._read_at = clock()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The route's handler: a coroutine function, as aiohttp wants one."""
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return web.Response(status=413, text="body too large\n")
        try:
            async with asyncio.timeout(BODY_TIMEOUT):
                body = await request.read()
        except TimeoutError:
            return web.Response(status=408, text="body not received in time\n")
        if not await self._signed(body, request.headers):
            log.warning("git_hook_refused", reason="missing or wrong signature")
            return web.Response(status=401, text="signature missing or wrong\n")
        log.info("git_hook_received", githubEvent=request.headers.get("X-GitHub-Event", ""))
        self._fetch_now()
        return web.Response(status=202, text="fetching\n")

    async def _signed(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """The check against the secret held, then once more against the secret as it is
        kept now, if it was last read long enough ago (it may have been rotated)."""
        if signature_valid(self._secret, body, headers):
            return True
        if self._clock() - self._read_at < REREAD_AFTER:
            return False
        self._read_at = self._clock()
        try:
            self._secret = await self._reread()
        except Exception as exc:  # the secret held stays; the request is refused as it was
            log.error("git_hook_secret_unreadable", message=str(exc))
            return False
        return signature_valid(self._secret, body, headers)
