"""The deploy template is what the README and the code say: it passes cfn-lint, the
Production section names every resource it creates, its task role carries the README's
controller policy, its lease table has the key the code reads, and its task's settings
are deploy/values.yaml's."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str

from controller.config import load_settings
from tests.integration.sandbox._readme import fenced, section

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "deploy" / "cloudformation.yaml"
VALUES = REPO / "deploy" / "values.yaml"

# The example values deploy/values.yaml shows, as the template's parameters, pseudo
# parameters and resources' Ref values would be in a deployed stack.
STACK = {
    "ControllerId": "platform-prod",
    "AWS::Region": "us-east-1",
    "GitUrl": "https://github.com/acme/platform-desired.git",
    "GitBranch": "main",
    "GitPath": "desired",
    "LeaseTable": "ecs-oauth-leases",
    "Queue": "https://sqs.us-east-1.amazonaws.com/123456789012/ecs-oauth-events",
    "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/ecs-oauth-task-boundary",
}


def template() -> dict[str, Any]:
    loaded, problems = decode_str(TEMPLATE.read_text())
    assert not problems, problems
    return dict(loaded)


def resolved(value: Any, events_on: bool = True) -> Any:
    """``value`` with Ref, Sub and If replaced as CloudFormation would in the stack above."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in STACK:
            return STACK[value["Ref"]]
        if set(value) == {"Fn::Sub"}:
            return re.sub(r"\$\{([^}]+)\}", lambda m: STACK[m.group(1)], value["Fn::Sub"])
        if set(value) == {"Fn::If"}:
            _, when_on, when_off = value["Fn::If"]
            return resolved(when_on if events_on else when_off, events_on)
        return {key: resolved(item, events_on) for key, item in value.items()}
    if isinstance(value, list):
        return [resolved(item, events_on) for item in value]
    return str(value) if isinstance(value, str) else value


def readme_policy() -> dict[str, Any]:
    [policy] = fenced(section("Running against real AWS"), "json")
    document: dict[str, Any] = json.loads(policy)
    return document


def container() -> dict[str, Any]:
    task = template()["Resources"]["TaskDefinition"]["Properties"]
    [definition] = task["ContainerDefinitions"]
    result: dict[str, Any] = definition
    return result


def assignments(events_on: bool = True) -> list[str]:
    command = resolved(container()["Command"], events_on)
    return [command[i + 1] for i, word in enumerate(command) if word == "--set"]


class TestTheTemplateIsValid:
    def test_cfn_lint_finds_nothing_in_it(self) -> None:
        linted = subprocess.run(
            [sys.executable, "-c", "from cfnlint.runner import main; main()", str(TEMPLATE)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert linted.returncode == 0, linted.stdout + linted.stderr


class TestTheReadmeNamesWhatItCreates:
    @pytest.mark.parametrize("name", sorted(template()["Resources"]))
    def test_the_production_section_names_each_resource_and_its_type(self, name: str) -> None:
        production = section("Production")
        kind = template()["Resources"][name]["Type"]
        assert f"| `{name}` | `{kind}` |" in production


class TestTheTaskRole:
    def test_its_policy_is_the_readme_policy_with_the_boundary_as_a_parameter(self) -> None:
        role = template()["Resources"]["TaskRole"]["Properties"]
        [policy] = role["Policies"]
        assert resolved(policy["PolicyDocument"]) == readme_policy()

    def test_only_the_execution_role_reads_the_git_token_and_the_webhook(self) -> None:
        resources = template()["Resources"]
        [reading] = resources["ExecutionRole"]["Properties"]["Policies"]
        [statement] = reading["PolicyDocument"]["Statement"]
        assert statement["Action"] == "secretsmanager:GetSecretValue"
        assert statement["Resource"] == [
            {"Ref": "GitTokenSecretArn"},
            {"Ref": "AlertWebhookSecretArn"},
        ]
        assert {item["Name"] for item in container()["Secrets"]} == {
            "GIT_TOKEN",
            "ALERT_WEBHOOK_URL",
        }


class TestTheLeaseTable:
    def test_its_key_is_the_string_name_the_lease_and_records_use(self) -> None:
        table = template()["Resources"]["LeaseTable"]["Properties"]
        assert table["KeySchema"] == [{"AttributeName": "name", "KeyType": "HASH"}]
        assert table["AttributeDefinitions"] == [{"AttributeName": "name", "AttributeType": "S"}]
        for module in ("_lease.py", "_records.py"):
            code = (REPO / "controller" / "aws" / module).read_text()
            assert 'Key={"name": {"S": ' in code

    def test_it_is_the_table_the_policy_lets_the_controller_use(self) -> None:
        table = template()["Resources"]["LeaseTable"]["Properties"]["TableName"]
        [lease] = [s for s in readme_policy()["Statement"] if s["Sid"] == "LeaderLease"]
        assert lease["Resource"].endswith(f":table/{table}")


class TestTheTaskSettings:
    def test_they_are_the_settings_of_deploy_values(self) -> None:
        assert load_settings([], assignments()) == load_settings([VALUES], [])

    def test_with_events_off_the_queue_is_unset(self) -> None:
        settings = load_settings([], assignments(events_on=False))
        assert settings.events.queue_url is None

    def test_the_event_rule_is_the_readmes(self) -> None:
        events = section("Events first, polling as the safety net")
        [snippet] = fenced(events, "yaml")
        readme, _ = decode_str(snippet)
        ours = template()["Resources"]
        for name in ("Queue", "Rule", "QueuePolicy"):
            properties = {k: v for k, v in ours[name].items() if k != "Condition"}
            assert properties == readme["Resources"][name]
