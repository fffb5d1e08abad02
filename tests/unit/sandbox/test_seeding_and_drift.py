"""What the sandbox seeds for a desired state, and the drift it offers to cause by hand."""

from __future__ import annotations

import shlex
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from controller.desired import load
from controller.sandbox import (
    DriftCommand,
    TaskView,
    Workload,
    platform_of,
    render_alert,
    render_task_view,
    swapped_role_request,
)
from controller.sandbox.aws import UsageError, parameters

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ECS = botocore.session.get_session().get_service_model("ecs")


class TestThePlatformTheExamplesExpect:
    def test_one_user_pool_per_cognito_provider(self) -> None:
        assert platform_of(load(EXAMPLES)).user_pools == ("corp",)

    def test_the_shared_execution_role_and_its_account(self) -> None:
        platform = platform_of(load(EXAMPLES))

        assert platform.execution_roles == ("arn:aws:iam::123456789012:role/ecsTaskExecutionRole",)
        assert platform.account == "123456789012"

    def test_a_workload_per_service_with_its_team(self) -> None:
        assert platform_of(load(EXAMPLES)).workloads == (
            Workload("prod", "checkout-worker", "worker", "checkout-worker", "payments"),
            Workload("prod", "invoice-sync", "app", "invoice-sync", "billing"),
            Workload("prod", "orders-api", "app", "orders-api", "payments"),
            Workload("prod", "stock-sync", "sync", "stock-sync", "inventory"),
        )


DESCRIBED: dict[str, Any] = {
    "taskDefinition": {
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/orders-api:2",
        "family": "orders-api",
        "revision": 2,
        "status": "ACTIVE",
        "taskRoleArn": "arn:aws:iam::123456789012:role/ecs-oauth-orders-reader",
        "containerDefinitions": [{"name": "app", "image": "x", "secrets": []}],
        "registeredAt": "2026-01-01T00:00:00Z",
        "requiresAttributes": [],
    },
    "tags": [{"key": "team", "value": "payments"}],
}


class TestTheDriftRequest:
    def test_it_is_the_current_revision_with_another_task_role(self) -> None:
        members = set(ECS.operation_model("RegisterTaskDefinition").input_shape.members)

        request = swapped_role_request(DESCRIBED, members)

        assert request == {
            "family": "orders-api",
            "taskRoleArn": "arn:aws:iam::123456789012:role/sandbox-intruder",
            "containerDefinitions": DESCRIBED["taskDefinition"]["containerDefinitions"],
            "tags": [{"key": "team", "value": "payments"}],
        }

    def test_the_command_runs_with_or_without_the_aws_cli(self) -> None:
        command = DriftCommand("orders-api", "enforce", ("--endpoint-url", "http://h:1", "ecs"))

        assert command.aws.endswith("aws --endpoint-url http://h:1 ecs")
        assert shlex.split(command.aws)[:2] == [
            "AWS_ACCESS_KEY_ID=sandbox",
            "AWS_SECRET_ACCESS_KEY=sandbox",
        ]
        assert shlex.split(command.without_aws_cli)[1:] == [
            "-m",
            "controller.sandbox.aws",
            "--endpoint-url",
            "http://h:1",
            "ecs",
        ]


class TestTheAwsCliStandIn:
    def shape(self, operation: str) -> Any:
        return ECS.operation_model(operation).input_shape

    def test_scalars_lists_and_flags_follow_the_api_model(self) -> None:
        found = parameters(
            self.shape("UpdateService"),
            [
                "--cluster",
                "prod",
                "--service",
                "orders-api",
                "--desired-count",
                "2",
                "--force-new-deployment",
            ],
        )

        assert found == {
            "cluster": "prod",
            "service": "orders-api",
            "desiredCount": 2,
            "forceNewDeployment": True,
        }

    def test_a_negated_flag_and_a_list_of_strings(self) -> None:
        found = parameters(
            self.shape("DescribeServices"),
            ["--services", "a", "b", "--cluster", "prod"],
        )
        negated = parameters(self.shape("UpdateService"), ["--no-force-new-deployment"])

        assert found == {"services": ["a", "b"], "cluster": "prod"}
        assert negated == {"forceNewDeployment": False}

    def test_cli_input_json_comes_inline_or_from_a_file(self, tmp_path: Path) -> None:
        request = tmp_path / "request.json"
        request.write_text('{"family": "orders-api", "containerDefinitions": []}')

        from_file = parameters(
            self.shape("RegisterTaskDefinition"), ["--cli-input-json", f"file://{request}"]
        )
        inline = parameters(
            self.shape("RegisterTaskDefinition"), ["--cli-input-json", request.read_text()]
        )

        assert from_file == inline == {"family": "orders-api", "containerDefinitions": []}

    def test_structures_are_given_as_json(self) -> None:
        found = parameters(
            self.shape("RegisterTaskDefinition"),
            ["--family", "f", "--container-definitions", '[{"name": "app", "image": "x"}]'],
        )

        assert found["containerDefinitions"] == [{"name": "app", "image": "x"}]

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--no-such-thing", "1"], "unknown option --no-such-thing"),
            (["prod"], "unexpected argument 'prod'"),
            (["--cluster", "a", "b"], "expected one value, got 2"),
        ],
    )
    def test_what_it_cannot_read_is_refused_with_one_line(
        self, args: list[str], message: str
    ) -> None:
        with pytest.raises(UsageError, match=message):
            parameters(self.shape("UpdateService"), args)


class TestWhatIsShown:
    def test_a_task_view_shows_scopes_and_expiry_and_no_credential(self) -> None:
        issued = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
        view = TaskView(
            service="orders-api",
            client_id="client-1",
            token_endpoint="http://127.0.0.1:1/token",
            issuer="http://127.0.0.1:1",
            scopes=("orders/read",),
            issued_at=issued,
            expires_at=issued + timedelta(minutes=15),
        )

        lines = render_task_view(view, issued + timedelta(minutes=5))

        assert lines[0] == "Service/orders-api"
        assert "  scopes   orders/read" in lines
        assert "  expires  12:15:00 UTC, in 10m (lifetime 15m)" in lines

    def test_a_task_view_has_no_room_for_the_secret_or_the_token(self) -> None:
        assert {f.name for f in fields(TaskView)} == {
            "service",
            "client_id",
            "token_endpoint",
            "issuer",
            "scopes",
            "issued_at",
            "expires_at",
        }

    def test_an_alert_is_one_line_of_what_chat_reads(self) -> None:
        alert = {"title": "Drift corrected", "text": "Service/x: taskRoleArn; corrected."}

        assert render_alert(alert) == "alert to chat: Service/x: taskRoleArn; corrected."
