"""What a person sees in ``ecs-oauth sandbox``, checked against one running sandbox.

The classes here are collected by each module that imports them and provides a
module-scoped ``sandbox`` fixture (a :class:`SandboxProcess` started some way): the same
walk-through then runs against the sandbox from this checkout's venv and against one a
newcomer installed from the README. They run in file order on the one sandbox: start-up,
drift by hand, then Ctrl-C.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from controller.cli._status import fetch_status
from controller.desired import DesiredState

from ._process import READY_LINE, SandboxProcess, run_printed, sandbox_environment

START_TIMEOUT_SECONDS = 180.0
CREDENTIAL_KEYS = ("client_secret", "registration_access_token")
# The daemon resyncs every 10 s in the sandbox; a generous deadline for a busy machine.
CORRECTION_TIMEOUT_SECONDS = 90.0


def banner_value(sandbox: SandboxProcess, label: str) -> str:
    """The first word after ``label`` in the banner: a URL or a path."""
    pattern = re.compile(rf"^  {label}\s+(\S+)")
    match = pattern.match(sandbox.wait_for(pattern, START_TIMEOUT_SECONDS))
    assert match is not None
    return match[1]


def aws_client(sandbox: SandboxProcess, service: str) -> Any:
    """boto3 at the sandbox's own AWS."""
    return boto3.client(
        service,
        endpoint_url=banner_value(sandbox, "local AWS"),
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
    )


def token_views(sandbox: SandboxProcess) -> dict[str, dict[str, str]]:
    """Per service, the fields of its task's view (``scopes``, ``expires``, ...)."""
    sandbox.wait_for(r"^Watching; Ctrl-C stops the sandbox\.", START_TIMEOUT_SECONDS)
    start = next(i for i, line in enumerate(sandbox.lines) if line.startswith("A task's view"))
    views: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in sandbox.lines[start:]:
        field = re.match(r"^  (\w+)\s+(.*)$", line)
        if line.startswith("Service/"):
            current = views.setdefault(line.removeprefix("Service/"), {})
        elif current is not None and field:
            current[field[1]] = field[2]
        else:
            current = None
    return views


def latest_task_role(sandbox: SandboxProcess, family: str) -> str:
    ecs = aws_client(sandbox, "ecs")
    arns = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    latest = max(arns, key=lambda arn: int(arn.rsplit(":", 1)[1]))
    return str(ecs.describe_task_definition(taskDefinition=latest)["taskDefinition"]["taskRoleArn"])


def drift_by_hand(sandbox: SandboxProcess, mode: str, shown: str, cwd: Path) -> tuple[str, int]:
    """Run the printed drift command for ``mode`` (the aws CLI's stand-in) and wait until
    the sandbox shows ``Drifted=True`` with ``shown``; the Service, and the number of lines
    printed before the command ran."""
    sandbox.wait_for(r"^Watching", START_TIMEOUT_SECONDS)
    drift = sandbox.drift_commands()[mode]
    seen = len(sandbox.lines)

    run_printed(drift.without_aws_cli, sandbox_environment(cwd), cwd)

    sandbox.wait_for(
        rf"Service/{drift.service}  Drifted=True {shown}", CORRECTION_TIMEOUT_SECONDS, after=seen
    )
    return drift.service, seen


class TestStartingUp:
    def test_every_example_service_becomes_ready(
        self, sandbox: SandboxProcess, examples: DesiredState
    ) -> None:
        match = READY_LINE.search(sandbox.wait_for(READY_LINE, START_TIMEOUT_SECONDS))

        assert match is not None
        assert match[1] == match[2] == str(len(examples.services))

    def test_each_service_shows_a_token_with_exactly_its_role_scopes(
        self, sandbox: SandboxProcess, examples: DesiredState
    ) -> None:
        views = token_views(sandbox)

        assert set(views) == set(examples.services)
        for name, service in examples.services.items():
            assert views[name]["scopes"].split() == examples.role_scopes(service.spec.role), name
            assert re.match(r"\d\d:\d\d:\d\d UTC, in \w+ \(lifetime \w+\)$", views[name]["expires"])

    def test_the_status_endpoint_reports_every_object_ready(
        self, sandbox: SandboxProcess, examples: DesiredState
    ) -> None:
        serving = re.compile(r"daemon serving (http://\S+)/status")
        match = serving.search(sandbox.wait_for(serving, START_TIMEOUT_SECONDS))
        assert match is not None

        status = fetch_status(match[1])

        ready = {
            f"{item['kind']}/{item['name']}"
            for item in status["objects"]
            for condition in item["conditions"]
            if (condition["type"], condition["status"]) == ("Ready", "True")
        }
        # Scopes have no resources of their own: they live on the roles' clients.
        assert ready == {key for key in examples.sources if not key.startswith("Scope/")}


class TestDriftByHand:
    def test_a_swapped_task_role_is_put_back_in_enforce_mode(
        self, sandbox: SandboxProcess, examples: DesiredState, tmp_path: Path
    ) -> None:
        service, seen = drift_by_hand(sandbox, "enforce", "DriftCorrected: .*taskRoleArn", tmp_path)

        sandbox.wait_for(rf"alert to chat: Service/{service}: .*corrected", 30, after=seen)
        role = examples.services[service].spec.role
        assert latest_task_role(sandbox, service).endswith(f":role/ecs-oauth/task/ecs-oauth-{role}")

    def test_the_aws_cli_command_works_as_printed(
        self, sandbox: SandboxProcess, tmp_path: Path
    ) -> None:
        if shutil.which("aws") is None:
            pytest.skip("the aws CLI is not installed; its stand-in ran above")
        drift = sandbox.drift_commands()["enforce"]
        sandbox.wait_for(rf"Service/{drift.service}  Drifted=False InSync", 60)
        seen = len(sandbox.lines)

        run_printed(drift.aws, sandbox_environment(tmp_path), tmp_path)

        sandbox.wait_for(
            rf"Service/{drift.service}  Drifted=True DriftCorrected",
            CORRECTION_TIMEOUT_SECONDS,
            after=seen,
        )

    def test_in_detect_mode_the_drift_is_reported_and_left_alone(
        self, sandbox: SandboxProcess, tmp_path: Path
    ) -> None:
        service, _ = drift_by_hand(sandbox, "detect", "DriftDetected: .*taskRoleArn", tmp_path)

        assert latest_task_role(sandbox, service).endswith(":role/sandbox-intruder")


class TestStopping:
    @pytest.fixture
    def secrets(self, sandbox: SandboxProcess) -> list[str]:
        """Every credential the controller created, read while the sandbox still runs: every
        version, so a credential rotated out counts too."""
        manager = aws_client(sandbox, "secretsmanager")
        values = []
        for entry in manager.list_secrets()["SecretList"]:
            for version in entry["SecretVersionsToStages"]:
                answer = manager.get_secret_value(SecretId=entry["ARN"], VersionId=version)
                value = json.loads(answer["SecretString"])
                held = [value, *value.get("clients", {}).values()]  # registration secrets nest
                values += [item[key] for item in held for key in CREDENTIAL_KEYS if key in item]
        assert values
        return values

    def test_nothing_printed_or_logged_holds_a_credential_or_a_token(
        self, sandbox: SandboxProcess, secrets: list[str], other_screens: list[str]
    ) -> None:
        log = Path(banner_value(sandbox, "daemon log")).read_text()

        for text in (sandbox.output, log, *other_screens):
            assert not [secret for secret in secrets if secret in text]
            assert "eyJ" not in text  # the start of every JWT

    def test_ctrl_c_stops_it_with_exit_code_0(self, sandbox: SandboxProcess) -> None:
        code = sandbox.interrupt()

        assert code == 0, sandbox.output
        assert sandbox.lines[-1].startswith("Stopped.")
