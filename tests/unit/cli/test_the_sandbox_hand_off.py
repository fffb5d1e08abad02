"""The env file the sandbox writes, the defaults it feeds, and the one-line refusal when a
command would point the sandbox's AWS at a desired state it never rewrote."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from controller.cli._handoff import (
    assignments_document,
    desired_default,
    env_file_text,
    handoff_variables,
    sandbox_mismatch,
    values_default,
    write_cli_values,
    write_env_file,
)
from controller.desired import DesiredState, load

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SANDBOX_AWS = "http://127.0.0.1:40419"
WORLD = {
    "AWS_ENDPOINT_URL": SANDBOX_AWS,
    "AWS_ACCESS_KEY_ID": "sandbox",
    "AWS_SECRET_ACCESS_KEY": "sandbox",
    "AWS_REGION": "us-east-1",
    "PARTNERS_DCR_TOKEN": "it's a 'token' with $pecial chars",
}


@pytest.fixture(scope="module")
def examples() -> DesiredState:
    return load(EXAMPLES)


def local_copy(tmp_path: Path) -> DesiredState:
    """The examples as the sandbox rewrites them: providers on 127.0.0.1."""
    folder = tmp_path / "desired"
    for file in EXAMPLES.rglob("*.yaml"):
        target = folder / file.relative_to(EXAMPLES)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = file.read_text().replace("https://auth.example.com", "http://127.0.0.1:40419")
        text = text.replace("https://idp.partners.example.com", "http://127.0.0.1:4")
        target.write_text(text.replace("https://acme.okta.com", "http://127.0.0.1:5"))
    return load(folder)


def sourced(file: Path) -> dict[str, str]:
    """The environment of a POSIX shell after ``. FILE``."""
    result = subprocess.run(
        ["sh", "-c", f'. "{file}" && env -0'],
        env={"PATH": os.environ["PATH"], "AWS_PROFILE": "prod", "AWS_ENDPOINT_URL_ECS": "x"},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(entry.split("=", 1) for entry in result.stdout.split("\0") if "=" in entry)


class TestTheEnvFile:
    def test_a_shell_that_sources_it_has_every_variable_exactly(self, tmp_path: Path) -> None:
        variables = handoff_variables(
            WORLD,
            desired=tmp_path / "desired",
            values=[tmp_path / "a.yaml", tmp_path / "b.yaml"],
            url="http://127.0.0.1:8080",
        )
        file = tmp_path / "sandbox.env"
        write_env_file(file, env_file_text(variables, where="the sandbox"))

        shell = sourced(file)

        assert {name: shell.get(name) for name in variables} == variables
        assert shell["ECS_OAUTH_DESIRED"] == str(tmp_path / "desired")
        assert (
            shell["ECS_OAUTH_VALUES"] == f"{tmp_path / 'a.yaml'}{os.pathsep}{tmp_path / 'b.yaml'}"
        )
        assert shell["ECS_OAUTH_URL"] == "http://127.0.0.1:8080"
        assert shell["ECS_OAUTH_SANDBOX"] == SANDBOX_AWS

    def test_sourcing_it_leaves_no_way_to_a_real_account(self, tmp_path: Path) -> None:
        file = tmp_path / "sandbox.env"
        write_env_file(file, env_file_text(WORLD, where="the sandbox"))

        shell = sourced(file)

        assert "AWS_PROFILE" not in shell
        assert "AWS_ENDPOINT_URL_ECS" not in shell

    def test_it_is_readable_by_its_owner_only_even_over_an_older_file(self, tmp_path: Path) -> None:
        file = tmp_path / "sandbox.env"
        file.write_text("old")
        file.chmod(0o644)

        write_env_file(file, env_file_text(WORLD, where="the sandbox"))

        assert stat.S_IMODE(file.stat().st_mode) == 0o600


class TestTheDefaults:
    def test_the_desired_state_comes_from_its_variable(self) -> None:
        assert desired_default({"ECS_OAUTH_DESIRED": "/tmp/x/desired"}) == Path("/tmp/x/desired")
        assert desired_default({}) is None
        assert desired_default({"ECS_OAUTH_DESIRED": " "}) is None

    def test_values_files_are_a_path_list(self) -> None:
        joined = os.pathsep.join(["/a.yaml", "/b.yaml"])

        assert values_default({"ECS_OAUTH_VALUES": joined}) == [Path("/a.yaml"), Path("/b.yaml")]
        assert values_default({}) == []

    def test_set_assignments_become_the_values_document_they_mean(self) -> None:
        document = assignments_document(
            ["controllerId=team-a", "limits.readBudget=0.5", "prune.enabled=true", "alerts.x="]
        )

        assert document == {
            "controllerId": "team-a",
            "limits": {"readBudget": 0.5},
            "prune": {"enabled": True},
            "alerts": {"x": ""},
        }

    def test_the_cli_settings_layer_the_sandbox_s_own_then_values_then_set(
        self, tmp_path: Path
    ) -> None:
        mine = tmp_path / "mine.yaml"

        files = write_cli_values(tmp_path, "limits: {}\n", [mine], ["controllerId=x"])

        assert files == [tmp_path / "cli-values.yaml", mine.resolve(), tmp_path / "cli-set.yaml"]
        assert "controllerId: x" in (tmp_path / "cli-set.yaml").read_text()


class TestTheMismatch:
    def test_the_original_examples_against_the_sandbox_are_named_in_one_line(
        self, examples: DesiredState
    ) -> None:
        environ = {
            "AWS_ENDPOINT_URL": SANDBOX_AWS,
            "ECS_OAUTH_SANDBOX": SANDBOX_AWS,
            "ECS_OAUTH_DESIRED": "/tmp/s/desired",
        }

        message = sandbox_mismatch(examples, environ)

        assert message is not None
        assert "\n" not in message
        assert message.startswith(
            "error: the desired state names token endpoint https://auth.example.com/oauth2/token"
            f" ({EXAMPLES}/platform/identity-providers.yaml:10:20, IdentityProvider/corp)"
            " (and 2 more), but AWS_ENDPOINT_URL points at the sandbox"
        )
        assert message.endswith("use -f $ECS_OAUTH_DESIRED (/tmp/s/desired)")

    def test_the_working_copy_is_not_a_mismatch(self, tmp_path: Path) -> None:
        environ = {"AWS_ENDPOINT_URL": SANDBOX_AWS, "ECS_OAUTH_SANDBOX": SANDBOX_AWS}

        assert sandbox_mismatch(local_copy(tmp_path), environ) is None

    def test_without_the_sandbox_anything_goes(self, examples: DesiredState) -> None:
        assert sandbox_mismatch(examples, {}) is None
        assert sandbox_mismatch(examples, {"AWS_ENDPOINT_URL": SANDBOX_AWS}) is None

    def test_an_endpoint_moved_elsewhere_since_sourcing_is_not_the_sandbox(
        self, examples: DesiredState
    ) -> None:
        environ = {"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "ECS_OAUTH_SANDBOX": SANDBOX_AWS}

        assert sandbox_mismatch(examples, environ) is None


def test_an_okta_org_that_is_not_local_is_named_against_the_sandbox(tmp_path: Path) -> None:
    (tmp_path / "okta.yaml").write_text(
        "apiVersion: ecs-oauth.dev/v1alpha1\n"
        "kind: IdentityProvider\n"
        "metadata: {name: workforce}\n"
        "spec:\n"
        "  okta:\n"
        "    orgUrl: https://example.okta.com\n"
        "    authorizationServerId: default\n"
        "    apiToken: {fromEnv: OKTA_API_TOKEN}\n"
    )
    environ = {"AWS_ENDPOINT_URL": SANDBOX_AWS, "ECS_OAUTH_SANDBOX": SANDBOX_AWS}

    message = sandbox_mismatch(load(tmp_path), environ)

    assert message is not None
    assert message.startswith(
        "error: the desired state names org URL https://example.okta.com "
        f"({tmp_path}/okta.yaml:6:13, IdentityProvider/workforce)"
    )
