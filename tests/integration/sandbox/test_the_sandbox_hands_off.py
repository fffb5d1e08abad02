"""``ecs-oauth sandbox`` hands its world over to another shell: that shell sources the env
file the sandbox prints, and ``plan``, ``status``, ``doctor`` and ``rotate`` work there with
no ``-f`` and no flags, the OIDC Service's rotation included (its initial access token
comes with the file), and the Okta Service's token and rotation (the local org's API token
comes with it too). The original examples, pointed at the sandbox, are refused in one
line. ``doctor`` agrees with ``status``: every link holds on the freshly converged sandbox,
and a drift in detect mode fails the same Service in both.

Every command runs in a fresh bash that knows nothing but the env file: no AWS variable
of this process, no ``ECS_OAUTH_*``, a working folder of its own.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from controller.desired import DesiredState
from tests.harness.doctor import verdicts

from ._process import HAND_OFF, READY_LINE, SandboxProcess, sandbox_environment
from ._scenario import START_TIMEOUT_SECONDS, aws_client, banner_value, drift_by_hand, token_views
from .conftest import EXAMPLES

pytestmark = pytest.mark.slow

ECS_OAUTH = Path(sys.executable).parent / "ecs-oauth"
OIDC_SERVICE = "stock-sync"  # the examples' Service on the partners' OIDC provider
OKTA_SERVICE = "invoice-sync"  # the examples' Service on the workforce Okta org
COMMAND_TIMEOUT_SECONDS = 120


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("handoff")


@pytest.fixture(scope="module")
def sandbox(home: Path) -> Iterator[SandboxProcess]:
    running = SandboxProcess.start(
        [str(ECS_OAUTH), "sandbox", "--port", "0"], home, sandbox_environment(home)
    )
    yield running
    running.kill()


@pytest.fixture(scope="module")
def env_file(sandbox: SandboxProcess) -> Path:
    match = HAND_OFF.search(sandbox.wait_for(HAND_OFF, START_TIMEOUT_SECONDS))
    assert match is not None
    sandbox.wait_for(READY_LINE, START_TIMEOUT_SECONDS)
    return Path(match[1])


def shell_environment(home: Path) -> dict[str, str]:
    env = sandbox_environment(home)  # without AWS_* and the examples' token variable
    env = {name: value for name, value in env.items() if not name.startswith("ECS_OAUTH_")}
    env["PATH"] = f"{ECS_OAUTH.parent}{os.pathsep}{env['PATH']}"
    return env


def as_in_a_terminal() -> None:
    """Ctrl-C reaches a command as it would from a terminal. A test run started as a
    background job inherits SIGINT ignored (POSIX, for jobs of a shell without job control),
    and so would every command it starts."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def in_shell(env_file: Path, command: str, home: Path) -> subprocess.CompletedProcess[str]:
    """``command`` in a fresh bash that sourced the env file, in a folder of its own."""
    cwd = home / "shell"
    cwd.mkdir(exist_ok=True)
    return subprocess.run(
        ["bash", "-c", f'source "{env_file}" && {command}'],
        env=shell_environment(home),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def status_of(env_file: Path, home: Path) -> dict[str, dict[str, str]]:
    """``ecs-oauth status -o json`` in the handed-over shell: per object, condition statuses."""
    result = in_shell(env_file, "ecs-oauth status -o json", home)
    assert result.returncode == 0, explain(result)
    document: dict[str, Any] = json.loads(result.stdout)
    return {
        f"{item['kind']}/{item['name']}": {c["type"]: c["status"] for c in item["conditions"]}
        for item in document["objects"]
    }


class TestTheEnvFile:
    def test_only_its_owner_can_read_it(self, env_file: Path) -> None:
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600

    def test_it_points_the_commands_at_the_working_copy_and_the_local_aws(
        self, env_file: Path, sandbox: SandboxProcess, home: Path
    ) -> None:
        result = in_shell(
            env_file,
            'echo "$ECS_OAUTH_DESIRED"; echo "$AWS_ENDPOINT_URL"; '
            'echo "${PARTNERS_DCR_TOKEN:+set}"; echo "${WORKFORCE_OKTA_API_TOKEN:+set}"',
            home,
        )

        assert result.stdout.splitlines() == [
            banner_value(sandbox, "working copy"),
            banner_value(sandbox, "local AWS"),
            "set",
            "set",
        ]


class TestCommandsWithNoFlags:
    def test_plan_finds_the_converged_world_unchanged(self, env_file: Path, home: Path) -> None:
        result = in_shell(env_file, "ecs-oauth plan", home)

        assert result.returncode == 0, explain(result)
        context, _, plan = result.stdout.partition("\n\n")
        assert "controller default, desired state" in context  # the sandbox's working copy
        assert plan.startswith("No changes.")

    def test_doctor_passes_every_service_that_status_reports_ready_and_in_sync(
        self, env_file: Path, home: Path, examples: DesiredState
    ) -> None:
        status = status_of(env_file, home)

        for service in sorted(examples.services):
            assert status[f"Service/{service}"] == {
                "Ready": "True",
                "Synced": "True",
                "Drifted": "False",
            }
            result = in_shell(env_file, f"ecs-oauth doctor {service}", home)
            assert result.returncode == 0, explain(result)
            assert set(verdicts(result.stdout)) == {
                "secret",
                "token",
                "scopes",
                "clock",
                "task-definition",
                "task-role",
                "deployment",
            }
            assert all(line.startswith("PASS ") for line in verdicts(result.stdout).values())

    def test_rotate_of_the_oidc_service_rolls_out_a_new_credential(
        self, env_file: Path, home: Path
    ) -> None:
        before = in_shell(env_file, f"ecs-oauth token {OIDC_SERVICE}", home)

        result = in_shell(env_file, f"ecs-oauth rotate {OIDC_SERVICE} --no-wait", home)

        assert result.returncode == 0, explain(result)
        lines = result.stdout.splitlines()
        assert lines[:6] == [
            f"Rotation of {OIDC_SERVICE} started.",
            "create: done",
            "set: done",
            "test: done",
            "finish: done",
            "rollout: done",
        ]
        assert "detect mode, where the daemon does not rotate" in lines[-1]
        after = in_shell(env_file, f"ecs-oauth token {OIDC_SERVICE}", home)
        client = re.compile(r"^  client_id  (\S+)$", re.MULTILINE)
        assert client.findall(before.stdout) != client.findall(after.stdout)  # blue/green
        doctor = in_shell(env_file, f"ecs-oauth doctor {OIDC_SERVICE}", home)
        assert doctor.returncode == 0, explain(doctor)

    def test_rotate_with_no_flags_says_until_when_it_waits_and_ctrl_c_keeps_the_rotation(
        self, env_file: Path, home: Path
    ) -> None:
        process = subprocess.Popen(
            ["bash", "-c", f'source "{env_file}" && exec ecs-oauth rotate {OIDC_SERVICE}'],
            env=shell_environment(home),
            cwd=home,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=as_in_a_terminal,
        )
        try:
            assert process.stdout is not None
            waiting = process.stdout.readline()
            os.killpg(process.pid, signal.SIGINT)
            code = process.wait(timeout=COMMAND_TIMEOUT_SECONDS)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        assert process.stderr is not None
        error = process.stderr.read()

        assert re.fullmatch(
            r"revoke: waiting \w+, until (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d UTC "
            r"\(gracePeriod .*\)\n",
            waiting,
        ), waiting + error
        assert code == 130, error
        assert error.startswith(
            f"Interrupted. The rotation of {OIDC_SERVICE} is saved in AWS at phase revoke"
        )
        assert error.endswith(f"run `ecs-oauth rotate {OIDC_SERVICE}` again to finish it.\n")


class TestTheOktaService:
    def test_it_is_ready_and_its_task_view_shows_its_roles_scopes_and_lifetime(
        self, sandbox: SandboxProcess, env_file: Path, home: Path, examples: DesiredState
    ) -> None:
        status = status_of(env_file, home)
        view = token_views(sandbox)[OKTA_SERVICE]

        assert status[f"Service/{OKTA_SERVICE}"]["Ready"] == "True"
        assert examples.role_scopes(examples.services[OKTA_SERVICE].spec.role) == ["invoices.read"]
        assert view["scopes"] == "invoices.read"
        assert view["expires"].endswith("(lifetime 20m)")
        assert view["issuer"].startswith(banner_value(sandbox, "local Okta") + "/oauth2/aus")

    def test_its_token_from_another_shell_carries_exactly_its_roles_scopes_and_lifetime(
        self, env_file: Path, home: Path
    ) -> None:
        result = in_shell(env_file, f"ecs-oauth token {OKTA_SERVICE} -o json", home)

        assert result.returncode == 0, explain(result)
        token = json.loads(result.stdout)
        assert token["scopes"] == ["invoices.read"]
        assert token["claims"]["scp"] == ["invoices.read"]
        assert token["claims"]["exp"] - token["claims"]["iat"] == 20 * 60

    def test_the_org_refuses_it_one_scope_more_than_its_role(
        self, sandbox: SandboxProcess, env_file: Path
    ) -> None:
        secret = aws_client(sandbox, "secretsmanager").get_secret_value(
            SecretId=f"ecs-oauth/{OKTA_SERVICE}", VersionStage="AWSCURRENT"
        )
        held = json.loads(secret["SecretString"])

        def ask(scope: str) -> httpx.Response:
            return httpx.post(
                held["token_endpoint"],
                data={"grant_type": "client_credentials", "scope": scope},
                auth=(held["client_id"], held["client_secret"]),
            )

        assert ask("invoices.read").status_code == 200
        refused = ask("invoices.read invoices.issue")
        assert (refused.status_code, refused.json()["error"]) == (400, "access_denied")

    def test_rotate_adds_a_second_okta_secret_to_the_same_client(
        self, env_file: Path, home: Path
    ) -> None:
        client = re.compile(r"^  sub +(\S+)$", re.MULTILINE)  # Okta's sub is the client id
        before = in_shell(env_file, f"ecs-oauth token {OKTA_SERVICE}", home)

        result = in_shell(env_file, f"ecs-oauth rotate {OKTA_SERVICE} --no-wait", home)

        assert result.returncode == 0, explain(result)
        assert result.stdout.startswith(f"Rotation of {OKTA_SERVICE} started.")
        after = in_shell(env_file, f"ecs-oauth token {OKTA_SERVICE}", home)
        assert after.returncode == 0, explain(after)
        assert client.findall(after.stdout) == client.findall(before.stdout) != []


class TestTheOriginalExamples:
    @pytest.mark.parametrize("command", ["plan", "doctor orders-api", "rotate stock-sync"])
    def test_are_refused_in_one_line_that_names_the_mismatch(
        self, env_file: Path, home: Path, command: str
    ) -> None:
        result = in_shell(env_file, f"ecs-oauth {command} -f {EXAMPLES}", home)

        assert result.returncode == 1, explain(result)
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("error: the desired state names token endpoint https://auth.")
        assert "AWS_ENDPOINT_URL points at the sandbox" in line
        assert "use -f $ECS_OAUTH_DESIRED (" in line


class TestTheSandboxConsoleAndLog:
    def test_the_console_shows_each_change_the_daemon_makes(
        self, sandbox: SandboxProcess, env_file: Path
    ) -> None:
        for change in (
            "Service/orders-api  create idp:client ecs-oauth-orders-api",
            "Service/orders-api  create secretsmanager:secret ecs-oauth/orders-api",
            "Service/orders-api  update ecs:service prod/orders-api (taskDefinition)",
        ):
            assert any(line.endswith(change) for line in sandbox.lines), change

    def test_the_daemon_log_holds_only_json_and_the_aws_access_log_is_apart(
        self, sandbox: SandboxProcess, env_file: Path
    ) -> None:
        log = Path(banner_value(sandbox, "daemon log"))

        events = [json.loads(line) for line in log.read_text().splitlines()]

        assert {"listening", "change", "cycle_finished"} <= {event["event"] for event in events}
        access = (log.parent / "aws-access.log").read_text()
        assert '"POST / HTTP/1.1" 200' in access


class TestDriftInDetectMode:
    def test_status_and_doctor_both_report_it(
        self, sandbox: SandboxProcess, env_file: Path, home: Path
    ) -> None:
        service, _ = drift_by_hand(sandbox, "detect", "DriftDetected", home)

        assert status_of(env_file, home)[f"Service/{service}"]["Drifted"] == "True"
        result = in_shell(env_file, f"ecs-oauth doctor {service}", home)
        assert result.returncode == 1, explain(result)
        assert result.stdout.startswith(f"Service/{service} is in detect mode")
        found = verdicts(result.stdout)
        assert found["task-role"].startswith("FAIL ")
        assert "runs as arn:aws:iam::123456789012:role/sandbox-intruder" in found["task-role"]
        assert found["task-role"].endswith(
            f"fix: Service/{service} is in detect mode, so apply changes nothing for it: "
            "its team corrects this by hand, or sets spec.mode: enforce and runs ecs-oauth apply"
        )
        assert f"fix: do not roll {service} onto " in found["deployment"]

    def test_ctrl_c_stops_the_sandbox_with_exit_code_0(self, sandbox: SandboxProcess) -> None:
        assert sandbox.interrupt() == 0, sandbox.output
