"""The sandbox's own OAuth 2.0 authorization server: client credentials,
RFC 7591/7592 dynamic registration and RFC 9068 JWT access tokens, in memory.

It lets ``ecs-oauth sandbox`` run with no network and no identity provider
account, and it is a second real peer (besides oidc-provider) for the IdP
adapter's tests. Run it alone with ``python -m controller.sandbox.authserver``;
it prints one JSON "ready" line carrying the issuer and the initial access
token, then serves until interrupted.
"""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from controller.sandbox._authserver import ACCESS_TOKEN_LIFETIME, create_app
from controller.sandbox._authserver_chaos import with_chaos
from controller.sandbox._authserver_store import ClientStore

__all__ = [
    "ACCESS_TOKEN_LIFETIME",
    "AUDIENCE",
    "RunningAuthorizationServer",
    "main",
    "start_authorization_server",
]

AUDIENCE = "urn:ecs-oauth:sandbox"
"""The ``aud`` of every access token: RFC 9068 wants a resource indicator even
when the client names none, and the sandbox has a single resource."""


class _QuietRequestHandler(WSGIRequestHandler):
    """Drops the per-request access log; the sandbox prints its own output.
    Errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class RunningAuthorizationServer:
    """A server serving in a daemon thread until :meth:`stop`."""

    def __init__(
        self,
        *,
        issuer: str,
        initial_access_token: str,
        store: ClientStore,
        http_server: BaseWSGIServer,
    ) -> None:
        self.issuer = issuer
        self.initial_access_token = initial_access_token
        self.audience = AUDIENCE
        self._store = store
        self._http_server = http_server
        # A short poll interval keeps stop() quick; it is idle wake-ups only.
        self._thread = threading.Thread(
            target=http_server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"authserver {issuer}",
            daemon=True,
        )
        self._thread.start()

    def reset(self) -> None:
        """Forget every client and registration access token. The initial
        access token and the signing key stay, so callers and verifiers that
        hold them keep working."""
        self._store.clear()

    def client(self, client_id: str) -> dict[str, Any] | None:
        """A client's stored credentials and metadata, as an administrator sees
        them (no registration access token needed), or None if unknown."""
        client = self._store.get(client_id)
        return None if client is None else {**client.client_info, **client.client_metadata}

    def clients(self) -> list[dict[str, Any]]:
        """Every registered client as :meth:`client` shows it."""
        found = (self.client(client_id) for client_id in self._store.client_ids())
        return [client for client in found if client is not None]

    def edit_client(self, client_id: str, patch: dict[str, Any]) -> dict[str, Any] | None:
        """Change a client's metadata as an administrator would, without touching
        its registration access token; a None value removes the field."""
        if self._store.edit_metadata(client_id, patch) is None:
            return None
        return self.client(client_id)

    def stop(self) -> None:
        self._http_server.shutdown()
        self._http_server.server_close()
        self._thread.join()


def start_authorization_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    initial_access_token: str | None = None,
    scopes: Iterable[str] | None = None,
    log_requests: bool = False,
) -> RunningAuthorizationServer:
    """Start serving on ``host:port`` (port 0 picks a free one).

    ``scopes`` lists the scopes clients may register and request; None
    accepts any scope without a ``*``, so the sandbox takes whatever the
    desired state declares. Without ``initial_access_token`` a random one is
    made; either way it is on the returned object.
    """
    token = initial_access_token or secrets.token_urlsafe(32)
    accepted = None if scopes is None else frozenset(scopes)
    store = ClientStore()
    keys = KeySet([RSAKey.generate_key(2048, {"use": "sig", "alg": "RS256"}, auto_kid=True)])
    http_server = make_server(
        host,
        port,
        _not_yet_serving,
        threaded=True,
        request_handler=None if log_requests else _QuietRequestHandler,
    )
    # The issuer names the bound port, which port 0 only reveals after
    # binding; nothing is served before serve_forever, so the app can be
    # put in place now.
    bracketed = f"[{host}]" if ":" in host else host
    issuer = f"http://{bracketed}:{http_server.server_port}"
    http_server.app = with_chaos(
        create_app(
            issuer=issuer,
            audience=AUDIENCE,
            initial_access_token=token,
            scopes=accepted,
            store=store,
            keys=keys,
        )
    )
    return RunningAuthorizationServer(
        issuer=issuer, initial_access_token=token, store=store, http_server=http_server
    )


def _not_yet_serving(_environ: Any, _start_response: Any) -> Iterable[bytes]:
    raise RuntimeError("the authorization server is not assembled yet")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The sandbox OAuth 2.0 authorization server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--initial-access-token", help="default: a random one")
    parser.add_argument(
        "--scope",
        action="append",
        dest="scopes",
        help="a scope clients may use (repeatable); default: any scope without '*'",
    )
    parser.add_argument("--log-requests", action="store_true")
    args = parser.parse_args(argv)

    # Block the stop signals before the serving thread starts (it inherits
    # the mask), so that they arrive here and end in an orderly stop.
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    running = start_authorization_server(
        args.host,
        args.port,
        initial_access_token=args.initial_access_token,
        scopes=args.scopes,
        log_requests=args.log_requests,
    )
    ready = {
        "ready": True,
        "issuer": running.issuer,
        "initialAccessToken": running.initial_access_token,
    }
    print(json.dumps(ready), flush=True)
    try:
        signal.sigwait(stop_signals)
    finally:
        running.stop()


if __name__ == "__main__":
    main()
