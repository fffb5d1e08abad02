"""Exit codes, as a table: every command with success, changes (where a command reports
them), error and usage error, run as users run it against a converged world on the real
peers (moto, oidc-provider) and, for ``status`` and ``wait``, a running daemon.

0 success, 2 changes (``plan --detailed-exitcode`` only), 1 every error, a usage error
included. ``run`` and ``sandbox`` are covered for their errors only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness.daemon import ECS_OAUTH, RunningDaemon, daemon_environment
from tests.harness.moto import MotoPeer
from tests.harness.oidc_provider import OidcProviderPeer
from tests.integration.converge.conftest import explain
from tests.integration.rotation.conftest import Rotating, build
from tests.unit.cli.commands import command_names

SUCCESS, CHANGES, ERROR = 0, 2, 1
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing answers there
USAGE = ("--no-such-option",)
GHOST = """\
apiVersion: ecs-oauth.dev/v1alpha1
kind: Service
metadata: {name: ghost}
spec:
  role: orders-reader
  cluster: prod
  taskDefinition: {family: ghost, container: app}
  mode: detect
"""


@dataclass(frozen=True)
class Row:
    """One cell of the table. In ``args``, ``{desired}`` is the converged desired state,
    ``{changed}`` the same with one edit, ``{invalid}`` a broken one, ``{tmp}`` a scratch
    folder and ``{url}`` the daemon asked (all objects Ready, or with ``daemon="ghost"``
    one never created)."""

    command: str
    case: str
    args: tuple[str, ...]
    code: int
    daemon: str | None = None

    @property
    def id(self) -> str:
        return f"{self.command}-{self.case}"


def row(command: str, case: str, code: int, *args: str, daemon: str | None = None) -> Row:
    return Row(command, case, (command, *args), code, daemon)


ROWS = [
    row("validate", "success", SUCCESS, "-f", "{desired}"),
    row("validate", "error", ERROR, "-f", "{invalid}"),
    row("validate", "usage", ERROR, "-f", "{desired}", *USAGE),
    row("plan", "success", SUCCESS, "-f", "{desired}", "--detailed-exitcode"),
    row("plan", "changes", CHANGES, "-f", "{changed}", "--detailed-exitcode"),
    row("plan", "error", ERROR, "-f", "{invalid}", "--detailed-exitcode"),
    row("plan", "usage", ERROR, "-f", "{desired}", "--detailed-exitcode", *USAGE),
    row("apply", "success", SUCCESS, "-f", "{desired}", "{auto_approve}"),
    row("apply", "error", ERROR, "-f", "{invalid}", "{auto_approve}"),
    row("apply", "usage", ERROR, "-f", "{desired}", *USAGE),
    row("run", "error", ERROR, "-f", "{tmp}/nowhere", "--set", "controllerId=exit-codes"),
    row("run", "usage", ERROR, "-f", "{desired}", *USAGE),
    row("token", "success", SUCCESS, "orders-api", "-f", "{desired}"),
    row("token", "error", ERROR, "no-such-service", "-f", "{desired}"),
    row("token", "usage", ERROR, "orders-api", "-f", "{desired}", *USAGE),
    row("doctor", "success", SUCCESS, "orders-api", "-f", "{desired}"),
    row("doctor", "error", ERROR, "no-such-service", "-f", "{desired}"),
    row("doctor", "usage", ERROR, "orders-api", "-f", "{desired}", *USAGE),
    row("rotate", "success", SUCCESS, "orders-api", "-f", "{desired}"),
    row("rotate", "error", ERROR, "no-such-service", "-f", "{desired}"),
    row("rotate", "usage", ERROR, "orders-api", "-f", "{desired}", *USAGE),
    row("sandbox", "error", ERROR, "--port", "0", "--set", "resyncIntervall=5s"),
    row("sandbox", "usage", ERROR, *USAGE),
    row("crds", "success", SUCCESS, "--out", "{tmp}/crds"),
    row("crds", "error", ERROR, "--out", "{desired}/providers.yaml"),
    row("crds", "usage", ERROR, *USAGE),
    row("config", "success", SUCCESS, "--set", "concurrency=4"),
    row("config", "error", ERROR, "--set", "concurency=4"),
    row("config", "usage", ERROR, *USAGE),
    row("status", "success", SUCCESS, "--url", "{url}", "--exit-code", daemon="healthy"),
    row("status", "not-ready", ERROR, "--url", "{url}", "--exit-code", daemon="ghost"),
    row("status", "error", ERROR, "--url", UNREACHABLE),
    row("status", "usage", ERROR, "--url", UNREACHABLE, *USAGE),
    row("wait", "success", SUCCESS, "--for=Ready", "--url", "{url}", daemon="healthy"),
    row(
        "wait",
        "timeout",
        ERROR,
        "--for=Ready",
        "--timeout",
        "2s",
        "--url",
        "{url}",
        "Service/ghost",
        daemon="ghost",
    ),
    row("wait", "error", ERROR, "--timeout", "1s", "--url", UNREACHABLE),
    row("wait", "usage", ERROR, "--for=Healthy", "--url", UNREACHABLE),
]


@dataclass
class Table:
    """The converged world and the folders the rows name."""

    rotating: Rotating
    tmp: Path
    changed: Path
    invalid: Path
    auto_approve: str

    def args(self, row: Row, url: str = "") -> list[str]:
        values = {
            "desired": str(self.rotating.cli.folder),
            "changed": str(self.changed),
            "invalid": str(self.invalid),
            "tmp": str(self.tmp),
            "url": url,
            "auto_approve": self.auto_approve,
        }
        return [arg.format(**values) for arg in row.args if arg.format(**values)]

    def run(self, row: Row, url: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ECS_OAUTH), *self.args(row, url)],
            env=self.rotating.cli.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module")
def table(
    moto_server: MotoPeer,
    oidc_provider_server: OidcProviderPeer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Table:
    tmp = tmp_path_factory.mktemp("exit-codes")
    rotating = build(moto_server, oidc_provider_server, tmp / "desired", "1s")
    changed = tmp / "changed"
    shutil.copytree(rotating.cli.folder, changed)
    payments = changed / "payments.yaml"
    payments.write_text(payments.read_text().replace("tokenLifetime: 15m", "tokenLifetime: 20m"))
    invalid = tmp / "invalid"
    shutil.copytree(rotating.cli.folder, invalid)
    (invalid / "broken.yaml").write_text("apiVersion: ecs-oauth.dev/v1alpha1\nkind: Servic\n")
    return Table(rotating, tmp, changed, invalid, _auto_approve())


def _auto_approve() -> str:
    """``apply`` asks before writing unless told not to, where this build has the flag."""
    shown = subprocess.run(
        [str(ECS_OAUTH), "apply", "--help"], capture_output=True, text=True, check=False
    )
    return "--auto-approve" if "--auto-approve" in shown.stdout else ""


@pytest.fixture(scope="module")
def daemons(table: Table) -> Iterator[dict[str, RunningDaemon]]:
    """One daemon on the converged world as declared (every object Ready), one with a
    Service in detect mode that was never created (never Ready). Started after the rows
    that need no daemon: a daemon would take part in ``rotate``'s rotation."""
    healthy = table.tmp / "healthy"
    ghost = table.tmp / "ghost"
    for folder in (healthy, ghost):
        shutil.copytree(table.rotating.cli.folder, folder)
    (ghost / "ghost.yaml").write_text(GHOST)
    env = daemon_environment(table.rotating.cli.env)
    started = {
        "healthy": RunningDaemon.start(healthy, env),
        "ghost": RunningDaemon.start(ghost, env),
    }
    try:
        for daemon in started.values():
            daemon.wait_ready()
        yield started
    finally:
        for daemon in started.values():
            daemon.stop()


def test_the_table_covers_every_command_with_an_error_and_a_usage_error() -> None:
    cases = {(r.command, r.case) for r in ROWS}
    commands = command_names()
    for command in commands:
        assert {(command, "error"), (command, "usage")} <= cases, command
    successes = {command for command, case in cases if case == "success"}
    assert successes == commands - {"run", "sandbox"}
    assert {r.command for r in ROWS if r.code == CHANGES} == {"plan"}


@pytest.mark.parametrize("row", [r for r in ROWS if r.daemon is None], ids=lambda r: r.id)
def test_a_command_exits_as_the_table_says(table: Table, row: Row) -> None:
    result = table.run(row)

    assert result.returncode == row.code, explain(result)
    assert "Traceback" not in result.stderr
    if row.code == ERROR:
        assert result.stderr.strip(), "an error says why on stderr"


@pytest.mark.parametrize("row", [r for r in ROWS if r.daemon is not None], ids=lambda r: r.id)
def test_a_command_asking_the_daemon_exits_as_the_table_says(
    table: Table, daemons: dict[str, RunningDaemon], row: Row
) -> None:
    assert row.daemon is not None
    result = table.run(row, daemons[row.daemon].url)

    assert result.returncode == row.code, explain(result)
    assert "Traceback" not in result.stderr


def test_wait_s_timeout_is_one_line_naming_what_is_not_ready_and_why(
    table: Table, daemons: dict[str, RunningDaemon]
) -> None:
    (timeout,) = [r for r in ROWS if r.id == "wait-timeout"]

    result = table.run(timeout, daemons["ghost"].url)

    assert result.returncode == ERROR, explain(result)
    assert result.stderr == (
        "error: timed out after 2s waiting for Ready=True; not met: Service/ghost "
        "(TaskDefinitionMissing: family ghost has no ACTIVE revision yet; register one and "
        "it will be wired)\n"
    )


def test_status_exit_code_says_on_stderr_what_is_not_well(
    table: Table, daemons: dict[str, RunningDaemon]
) -> None:
    (unhealthy,) = [r for r in ROWS if r.id == "status-not-ready"]

    result = table.run(unhealthy, daemons["ghost"].url)

    assert result.returncode == ERROR, explain(result)
    assert "Service/ghost" in result.stdout  # the table is printed as ever
    assert result.stderr.startswith("error: not all well: Service/ghost (TaskDefinitionMissing: ")


def test_json_errors_are_a_problems_list_on_stdout(table: Table) -> None:
    invalid = table.run(row("validate", "error", ERROR, "-f", "{invalid}", "-o", "json"))
    unreachable = table.run(row("status", "error", ERROR, "--url", UNREACHABLE, "-o", "json"))

    assert (invalid.returncode, unreachable.returncode) == (ERROR, ERROR)
    assert json.loads(invalid.stdout) == {
        "problems": [
            {
                "file": f"{table.invalid}/broken.yaml",
                "line": 2,
                "column": 7,
                "severity": "error",
                "message": "unknown kind 'Servic'; expected one of "
                "IdentityProvider, Scope, Role, Service",
            }
        ]
    }
    (problem,) = json.loads(unreachable.stdout)["problems"]
    assert problem["message"].startswith(f"cannot reach the daemon at {UNREACHABLE}")


def test_every_command_that_reports_has_json_output(
    table: Table, daemons: dict[str, RunningDaemon]
) -> None:
    desired = str(table.rotating.cli.folder)
    url = daemons["healthy"].url
    ran = {
        "validate": table.run(row("validate", "json", SUCCESS, "-f", desired, "-o", "json")),
        "token": table.run(
            row("token", "json", SUCCESS, "orders-api", "-f", desired, "-o", "json")
        ),
        "config": table.run(row("config", "json", SUCCESS, "-o", "json")),
        "status": table.run(row("status", "json", SUCCESS, "--url", url, "-o", "json")),
        "wait": table.run(row("wait", "json", SUCCESS, "--url", url, "-o", "json")),
    }
    documents = {}
    for command, result in ran.items():
        assert result.returncode == SUCCESS, explain(result)
        documents[command] = json.loads(result.stdout)

    assert documents["validate"] == {
        "valid": True,
        "objects": {"IdentityProvider": 2, "Role": 3, "Scope": 4, "Service": 3},
        "problems": [],
    }
    assert documents["token"]["object"] == "Service/orders-api"
    assert documents["token"]["scopes"] == ["orders/read"]
    assert "eyJ" not in ran["token"].stdout  # claims, never the token
    assert documents["config"]["concurrency"] == 8
    assert {o["name"] for o in documents["status"]["objects"]} >= {"orders-api", "stock-sync"}
    assert documents["wait"] == {
        "condition": "Ready=True",
        "met": True,
        "objects": [],
        "problems": [],
    }
