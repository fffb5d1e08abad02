"""The pull-request pipelines in ``ci-examples/`` and the planner policy the README gives
their role: the pipelines are valid YAML that validate and plan in markdown, and the policy
only reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from controller.plan._desired import SECRET_PREFIX
from tests.integration.sandbox._readme import fenced, section

CI_EXAMPLES = Path(__file__).resolve().parents[2] / "ci-examples"
READ_ONLY_PREFIXES = ("Describe", "List", "Get")


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((CI_EXAMPLES / name).read_text())
    return document


def github_runs() -> list[str]:
    steps = load("github-actions.yaml")["jobs"]["plan"]["steps"]
    return [step["run"] for step in steps if "run" in step]


def gitlab_script() -> list[str]:
    job = load("gitlab-ci.yaml")["ecs-oauth-plan"]
    return [*job["before_script"], *job["script"]]


def planner_actions() -> list[str]:
    [text] = fenced(section("Plans on pull requests"), "json")
    policy = json.loads(text)
    actions: list[str] = []
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions += [listed] if isinstance(listed, str) else listed
    return actions


class TestThePipelines:
    @pytest.mark.parametrize("lines", [github_runs, gitlab_script], ids=["github", "gitlab"])
    def test_each_validates_then_plans_in_markdown(self, lines: Any) -> None:
        script = "\n".join(lines())

        validate = script.index("ecs-oauth validate")
        plan = script.index("ecs-oauth plan --output markdown")

        assert validate < plan
        assert "pip install -c " in script
        assert "constraints.txt" in script

    def test_github_assumes_the_planner_role_through_oidc_and_comments(self) -> None:
        workflow = load("github-actions.yaml")
        steps = workflow["jobs"]["plan"]["steps"]
        [credentials] = [s for s in steps if "configure-aws-credentials" in s.get("uses", "")]

        assert workflow["permissions"]["id-token"] == "write"
        assert "role-to-assume" in credentials["with"]
        assert any("gh pr comment" in run and "--edit-last" in run for run in github_runs())
        # "on" is YAML 1.1's true: the trigger still has to be the pull request
        assert "pull_request" in workflow[True]

    def test_gitlab_assumes_the_planner_role_with_its_id_token_and_posts_a_note(self) -> None:
        job = load("gitlab-ci.yaml")["ecs-oauth-plan"]
        script = "\n".join(gitlab_script())

        assert job["id_tokens"]["AWS_ID_TOKEN"]["aud"] == "sts.amazonaws.com"
        assert "assume-role-with-web-identity" in script
        assert "$AWS_ID_TOKEN" in script
        assert "/merge_requests/$CI_MERGE_REQUEST_IID/notes" in script
        assert job["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'


class TestThePlannerPolicy:
    def test_it_grants_only_describe_list_and_get(self) -> None:
        actions = planner_actions()

        writes = [a for a in actions if not a.split(":", 1)[1].startswith(READ_ONLY_PREFIXES)]

        assert actions
        assert writes == []

    def test_it_names_each_action_without_wildcards(self) -> None:
        """``Get*`` would grant whatever read AWS adds next, GetSecretValue on any secret
        included."""
        assert [a for a in planner_actions() if "*" in a] == []

    def test_it_reads_secret_values_only_under_the_controllers_prefix(self) -> None:
        [text] = fenced(section("Plans on pull requests"), "json")
        statements = json.loads(text)["Statement"]

        reading = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]

        assert [s["Resource"] for s in reading] == [
            f"arn:aws:secretsmanager:*:*:secret:{SECRET_PREFIX}*"
        ]
