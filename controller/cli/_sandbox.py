"""``ecs-oauth sandbox``: the product working on one machine, no AWS account, no network.

It brings up the sandbox's local world (``controller.sandbox``), runs the daemon on the
working copy of the desired state in this process, and prints what a person wants to see:
converge progress, the status table once every Service is Ready, a task's view of each
Service, and the commands that drift the world by hand; then alerts and status changes
as they happen, until Ctrl-C. The daemon's JSON logs go to a file the sandbox names, so
the terminal stays readable; the changes the daemon makes are shown as they happen. Once
the daemon serves, an env file (``source`` it) hands the world over to another shell: every
command there works against the sandbox with no ``-f`` and no flags.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from controller.cli._common import add_settings, print_diagnostics
from controller.cli._handoff import (
    env_file_text,
    handoff_variables,
    write_cli_values,
    write_env_file,
)
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
CLI_VALUES = """\
# The settings `ecs-oauth sandbox` gives the other commands (ECS_OAUTH_VALUES in its env
# file); the daemon's own are in values.yaml beside this file.
limits:
  # moto has no rate limits to be gentle with.
  cognitoRequestsPerSecondPerPool: 100.0
  ecsTaskDefinitionWritesPerSecond: 100.0
"""
ENV_FILE = "sandbox.env"


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
    add_settings(sandbox, from_environment=False)
    sandbox.set_defaults(handler=run_sandbox)


# What the `sandbox` extra brings (pyproject.toml); a production install lacks them.
SANDBOX_PACKAGES = ("moto", "flask", "werkzeug", "authlib", "joserfc", "regex")


def missing_sandbox_packages() -> list[str]:
    """Asked before the sandbox is imported: some of these it imports only once it runs,
    and a failure then would not say that an install, not the code, is at fault."""
    return [name for name in SANDBOX_PACKAGES if importlib.util.find_spec(name) is None]


def run_sandbox(args: argparse.Namespace) -> int:
    if missing := missing_sandbox_packages():
        print(
            f'error: the sandbox needs the "sandbox" extra ({", ".join(missing)} missing): '
            'pip install "ecs-oauth[sandbox]" (in a checkout: pip install -e ".[sandbox]")',
            file=sys.stderr,
        )
        return 1
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
    cli_values = write_cli_values(folder, CLI_VALUES, args.values, args.assignments)
    return asyncio.run(_Session(source, state, settings, folder, cli_values).run())


def _port_is_free(port: int) -> bool:
    """Free to bind as the daemon binds (SO_REUSEADDR): a port whose last connection is in
    TIME_WAIT, as after a sandbox that just stopped, counts as free."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _print(*lines: str) -> None:
    for line in lines:
        print(line, flush=True)


def _log_to(stream: TextIO, access_log: Path, tap: Callable[[Mapping[str, Any]], None]) -> None:
    """The daemon's JSON lines, and every library's warnings as JSON, go to the sandbox's
    log; the local AWS's access log (one line per request, werkzeug's) to a file of its
    own. ``tap`` sees each of the daemon's events."""
    from controller.daemon import configure_logging

    configure_logging(stream, tap=tap)
    logging.captureWarnings(True)
    access = logging.getLogger("werkzeug")
    for old in list(access.handlers):
        access.removeHandler(old)
    access.addHandler(logging.FileHandler(access_log, encoding="utf-8"))
    access.setLevel(logging.INFO)
    access.propagate = False


class _Session:
    def __init__(
        self,
        source: Path,
        state: DesiredState,
        settings: Settings,
        folder: Path,
        cli_values: list[Path],
    ):
        self.source, self.state, self.settings, self.folder = source, state, settings, folder
        self.started = time.monotonic()
        self.stop = asyncio.Event()
        self.cli_values = cli_values
        self.env_file = folder / ENV_FILE

    def _daemon_event(self, event: Mapping[str, Any]) -> None:
        from controller import sandbox

        if (line := sandbox.daemon_event_line(event)) is not None:
            self.say(line)

    def _hand_off(self, world: LocalWorld, url: str) -> None:
        """Write the env file another shell sources to work in this world."""
        variables = handoff_variables(
            world.environment(), desired=world.desired, values=self.cli_values, url=url
        )
        write_env_file(self.env_file, env_file_text(variables, where=f"the sandbox ({url})"))

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
            _log_to(log_file, self.folder / "aws-access.log", self._daemon_event)
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

        self._hand_off(world, url)
        self.say(f"daemon serving {url}/status")
        self.say(f"another shell takes over with: source {self.env_file}")
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
        watching = "Watching; Ctrl-C stops the sandbox."
        _print(*drift, "", *self._handoff_lines(world), "", watching, "")

    def _handoff_lines(self, world: LocalWorld) -> list[str]:
        """What to try in that shell; rotate shows off an OIDC Service where there is one,
        since its rotation needs the initial access token only the env file carries."""
        names = sorted(world.working.services)
        first = names[0]
        oidc = [n for n in names if world.working.service_provider(n).spec.oidc is not None]
        rotated = (oidc or [first])[0]
        return [
            "Use ecs-oauth on this sandbox from another shell, no -f or flags needed:",
            f"  source {self.env_file}",
            "  ecs-oauth plan",
            f"  ecs-oauth doctor {first}",
            f"  ecs-oauth rotate {rotated} --no-wait",
            "  ecs-oauth status",
        ]
