"""``ecs-oauth sandbox``: the product working on one machine, no AWS account, no network.

It brings up the sandbox's local world (``controller.sandbox``), runs the daemon on the
working copy of the desired state in this process, and prints what a person wants to see:
converge progress, the status table once every Service is Ready, a task's view of each
Service, and the commands that drift the world by hand; then alerts and status changes
as they happen, until Ctrl-C. The daemon's JSON logs go to a file the sandbox names, so
the terminal stays readable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from controller.cli._common import add_settings, print_diagnostics
from controller.cli._status import fetch_status, render_table
from controller.config import Settings, engine_settings, load_desired, load_settings
from controller.desired import DesiredState, DesiredStateError

if TYPE_CHECKING:
    from controller.sandbox import LocalWorld

DEFAULT_PORT = 8080
POLL_SECONDS = 1.0
PATIENCE_SECONDS = 60.0
SANDBOX_VALUES = """\
# The settings `ecs-oauth sandbox` runs the daemon with; --values and --set layer on top.
resyncInterval: 10s
# Every resync reads every object in depth: a sandbox has no change events, and drift by
# hand (a revision no service runs yet) moves no batch signal the read budget could see.
verifyInterval: 0s
http:
  listen: 127.0.0.1:{port}
alerts:
  webhook:
    url: {{fromEnv: {alerts}}}
limits:
  # moto has no rate limits to be gentle with.
  cognitoRequestsPerSecondPerPool: 100.0
  ecsTaskDefinitionWritesPerSecond: 100.0
"""


def register(commands: Any) -> None:
    sandbox = commands.add_parser(
        "sandbox", help="everything local: AWS, an OAuth server, the daemon on the examples"
    )
    sandbox.add_argument(
        "-f", "--file", dest="path", type=Path, metavar="PATH", help="default: the examples"
    )
    sandbox.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port of /status (default {DEFAULT_PORT}, or a free one when taken; 0: a free one)",
    )
    add_settings(sandbox)
    sandbox.set_defaults(handler=run_sandbox)


def run_sandbox(args: argparse.Namespace) -> int:
    from controller import sandbox

    source = args.path or sandbox.default_desired_state()
    if source is None:
        print("error: no examples installed with this package; pass -f PATH", file=sys.stderr)
        return 1
    port = args.port if args.port == 0 or _port_is_free(args.port) else 0
    folder = Path(tempfile.mkdtemp(prefix="ecs-oauth-sandbox-"))
    values = folder / "values.yaml"
    values.write_text(SANDBOX_VALUES.format(port=port, alerts=sandbox.ALERTS_VARIABLE))
    try:
        settings = load_settings([values, *args.values], args.assignments)
        state = load_desired(source, settings)
    except DesiredStateError as exc:
        print_diagnostics(exc)
        shutil.rmtree(folder)
        return 1
    if port != args.port:
        print(f"Port {args.port} is taken: /status gets a free port instead.")
    return asyncio.run(_Session(source, state, settings, folder).run())


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _print(*lines: str) -> None:
    for line in lines:
        print(line, flush=True)


def _log_to(stream: TextIO) -> None:
    """The daemon's JSON lines, and every library's warnings, go to the sandbox's log."""
    from controller.daemon import configure_logging

    configure_logging(stream)
    logging.basicConfig(stream=stream, level=logging.WARNING, force=True)
    logging.captureWarnings(True)


class _Session:
    def __init__(self, source: Path, state: DesiredState, settings: Settings, folder: Path):
        self.source, self.state, self.settings, self.folder = source, state, settings, folder
        self.started = time.monotonic()
        self.stop = asyncio.Event()

    def _elapsed(self) -> float:
        return time.monotonic() - self.started

    def say(self, line: str) -> None:
        _print(f"[{self._elapsed():5.1f}s] {line}")

    async def run(self) -> int:
        from controller import sandbox

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.stop.set)
        log = self.folder / "daemon.log"
        with log.open("a", encoding="utf-8") as log_file:
            _log_to(log_file)
            _print("ecs-oauth sandbox: the controller on a local AWS and a local OAuth server.")
            world = await asyncio.to_thread(
                sandbox.start_local_world, self.source, self.state, self.folder
            )
            receiver = sandbox.AlertReceiver(lambda alert: self.say(sandbox.render_alert(alert)))
            try:
                os.environ[sandbox.ALERTS_VARIABLE] = await receiver.start()
                _print(*sandbox.banner(world, log), "")
                await self._apply_detect_mode_once(world)
                code = 0 if self.stop.is_set() else await self._run_daemon(world)
            finally:
                await receiver.stop()
                world.stop()
        _print(f"Stopped. The working copy and the daemon's log stay in {self.folder}")
        return code

    async def _apply_detect_mode_once(self, world: LocalWorld) -> None:
        """The controller never creates a Service in detect mode: its team applied it once
        before switching to detect, and so does the sandbox."""
        from controller import sandbox
        from controller.engine import Engine, World

        detect = sandbox.services_in_mode(world.working, "detect", self.settings.mode)
        if not detect:
            return
        self.say(
            f"{', '.join(detect)}: detect mode, where the controller only reports; applied"
            " once first, as its team would have before switching to detect"
        )
        async with World(engine_settings(self.settings)) as aws:
            plan, _ = await Engine(aws).run(sandbox.enforced(world.working, detect), writes=True)
        for problem in plan.problems:
            self.say(f"{problem.object}: {problem.reason}: {problem.message}")

    async def _run_daemon(self, world: LocalWorld) -> int:
        from controller.daemon import run_daemon

        listening: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        daemon = asyncio.create_task(
            run_daemon(
                world.desired, self.settings, stop=self.stop, on_listening=listening.set_result
            )
        )
        either: set[asyncio.Future[Any]] = {listening, daemon}
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if not listening.done():
            _print(f"The daemon stopped before it served /status; see {self.folder}/daemon.log")
            return daemon.result() or 1
        watcher = asyncio.create_task(self._watch(world, listening.result()))
        watcher.add_done_callback(self._watcher_done)
        try:
            return await daemon
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    def _watcher_done(self, watcher: asyncio.Task[None]) -> None:
        """A sandbox that silently stopped reporting would mislead: stop it, saying why."""
        if not watcher.cancelled() and (failure := watcher.exception()) is not None:
            _print(f"error: the sandbox stopped reporting: {type(failure).__name__}: {failure}")
            self.stop.set()

    async def _watch(self, world: LocalWorld, url: str) -> None:
        """Print status transitions; the full picture once every Service is Ready."""
        from controller import sandbox

        self.say(f"daemon serving {url}/status (also: ecs-oauth status --url {url})")
        services = set(self.state.services)
        previous: dict[str, Any] | None = None
        shown = warned = False
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                status = await asyncio.to_thread(fetch_status, url)
            except OSError:
                continue
            for line in sandbox.transitions(previous, status):
                self.say(line)
            previous = status
            if not shown and sandbox.all_ready(status, services):
                shown = True
                self.say(f"Every Service is Ready ({len(services)} of {len(services)}).")
                await self._show(world, status)
            elif not (shown or warned) and self._elapsed() > PATIENCE_SECONDS:
                warned = True
                self.say("Not every Service is Ready yet; the table says why:")
                _print("", render_table(status), "")

    async def _show(self, world: LocalWorld, status: dict[str, Any]) -> None:
        from controller import sandbox

        _print("", render_table(status), "")
        _print("A task's view: what ECS gives a new task of each Service, and its token:", "")
        names = sorted(world.working.services)
        for lines in await asyncio.gather(*(sandbox.task_view_lines(world, n) for n in names)):
            _print(*lines, "")
        drift = await asyncio.to_thread(
            sandbox.drift_lines,
            world,
            self.settings.mode,
            self.settings.resync_interval,
            self.folder / "drift",
        )
        _print(*drift, "", "Watching; Ctrl-C stops the sandbox.", "")
