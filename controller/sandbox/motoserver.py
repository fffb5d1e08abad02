"""The sandbox's AWS: moto's server with the sandbox's additions applied.

The tests and ``ecs-oauth sandbox`` need more than moto gives: the Cognito
operations it lacks, a Cognito-like token endpoint, fault injection (see the
``_moto_*`` modules) and AWS's strictness (``_aws_strict``). This module puts
them in front of moto's WSGI application and serves the result, either in a
thread of the calling process (``start_in_process``) or in a process of its
own::

    python -m controller.sandbox.motoserver [--host 127.0.0.1] [--port 0]

which prints one JSON line, ``{"ready": true, "url": "http://HOST:PORT"}``,
once it accepts connections, and stops cleanly on SIGTERM or SIGINT. A
separate process does not share the GIL with its client, so it answers more
requests per second than the in-process server.

moto is imported only when a server is built, so that the process
environment it reads can be set first.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from dataclasses import dataclass
from types import FrameType
from typing import Any
from wsgiref.types import WSGIApplication

from werkzeug.serving import BaseWSGIServer, make_server

# moto's ECS reports this many running tasks per service; with 1, deployments
# of single-task services reach rolloutState COMPLETED instead of staying
# IN_PROGRESS for ever.
ECS_RUNNING_TASKS_VARIABLE = "MOTO_ECS_SERVICE_RUNNING"
# Off by default in moto; without it AmazonECSTaskExecutionRolePolicy cannot be attached.
MANAGED_POLICIES_VARIABLE = "MOTO_IAM_LOAD_MANAGED_POLICIES"


def build_app() -> WSGIApplication:
    """moto's WSGI application behind the Cognito token endpoint, strict mode and fault injection.

    Strict mode (on by default, see ``_aws_strict``) holds every request to
    AWS's validation and documented behaviours; faults are served before it,
    as AWS throttles a request before it looks at it.
    """
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from controller.sandbox._aws_strict import StrictPeer
    from controller.sandbox._moto_cognito import install
    from controller.sandbox._moto_cognito_oauth import CognitoOAuthEndpoints
    from controller.sandbox._moto_ecs import install as strict_ecs
    from controller.sandbox._moto_faults import FaultInjector
    from controller.sandbox._moto_secrets import install as install_secret_stages

    class Dispatcher(DomainDispatcherApplication):
        """moto's dispatcher, remembering the backend found for each host. moto finds it
        anew for every request, under one lock all request threads share: it lists its
        own package folder (a stat per service) and tries every service's URL patterns.
        The answer for a host never changes, and the hosts are a few dozen."""

        def __init__(self) -> None:
            super().__init__(create_backend_app)
            self._backends: dict[str | None, Any] = {}

        def get_backend_for_host(self, host: str | None) -> Any:
            if host not in self._backends:  # called with moto's lock held
                self._backends[host] = super().get_backend_for_host(host)
            return self._backends[host]

    install()
    install_secret_stages()
    return FaultInjector(StrictPeer(strict_ecs(CognitoOAuthEndpoints(Dispatcher()))))


@dataclass
class RunningMoto:
    """A sandbox AWS server serving from a background thread."""

    url: str
    server: BaseWSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        """Stop accepting requests, wait for the serving loop and free the port."""
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()


def start_in_process(host: str = "127.0.0.1", port: int = 0) -> RunningMoto:
    """Bind (port 0 picks a free port) and serve from a daemon thread.

    Sets MOTO_ECS_SERVICE_RUNNING=1 in this process's environment unless it
    is already set, so moto's ECS behaves the same here as in the separate
    server process.
    """
    os.environ.setdefault(ECS_RUNNING_TASKS_VARIABLE, "1")
    os.environ.setdefault(MANAGED_POLICIES_VARIABLE, "true")
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    server = make_server(host, port, build_app(), threaded=True, request_handler=MotoRequestHandler)
    shown_host = f"[{server.host}]" if ":" in server.host else server.host
    thread = threading.Thread(target=server.serve_forever, name="moto-server", daemon=True)
    thread.start()
    return RunningMoto(url=f"http://{shown_host}:{server.port}", server=server, thread=thread)


def main(argv: list[str] | None = None) -> int:
    """Serve in the foreground until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description="Serve the sandbox's AWS (moto with extensions).")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    args = parser.parse_args(argv)

    stopping = threading.Event()

    def request_stop(_signal: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    running = start_in_process(args.host, args.port)
    # moto's Lambda and Batch build their callbacks to the server from this.
    os.environ.setdefault("MOTO_PORT", str(running.server.port))
    print(json.dumps({"ready": True, "url": running.url}), flush=True)
    # The ready line is the only thing promised on stdout; anything moto
    # prints later goes to stderr.
    sys.stdout = sys.stderr
    stopping.wait()
    running.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
