"""The Dockerfile, checked without a Docker engine: its rules read off the file, and its
build stage replayed step by step in a fresh folder and venv.

The replay runs the build stage's own COPY and RUN instructions with its ENV; the only
change is where the image's absolute venv path lands (a temporary folder instead of
``/opt``). The runtime stage copies that venv and nothing else, so what the replay
produces is what the image runs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DOCKERFILE = REPO / "Dockerfile"
INSTALL_TIMEOUT_SECONDS = 900


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [argument for key, argument in self.instructions if key == keyword]


def stages(text: str) -> list[Stage]:
    """The Dockerfile's stages: FROM lines open one, continuation lines are joined."""
    joined = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    found: list[Stage] = []
    for line in filter(str.strip, joined.splitlines()):
        keyword, _, argument = line.strip().partition(" ")
        if keyword.upper() == "FROM":
            base, *alias = argument.split()
            found.append(Stage(base, alias[-1] if alias else None))
        else:
            found[-1].instructions.append((keyword.upper(), argument.strip()))
    return found


BUILD, RUNTIME = stages(DOCKERFILE.read_text())


class TestTheDockerfile:
    def test_both_stages_use_one_slim_python_pinned_to_a_patch_version_and_a_digest(
        self,
    ) -> None:
        for stage in (BUILD, RUNTIME):
            assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+@sha256:[0-9a-f]{64}", stage.base), (
                stage.base
            )
        assert BUILD.base == RUNTIME.base

    def test_the_build_installs_the_locked_versions_and_no_extras(self) -> None:
        [install] = [run for run in BUILD.all("RUN") if "pip install" in run]

        assert "-c constraints.txt" in install
        assert "[" not in install.partition("pip install")[2]

    def test_the_runtime_stage_takes_only_the_venv_from_the_build(self) -> None:
        copies = RUNTIME.all("COPY")

        assert copies == ["--from=build /opt/ecs-oauth /opt/ecs-oauth"]
        assert not any("pip" in run for run in RUNTIME.all("RUN"))

    def test_the_runtime_stage_installs_git_and_ssh_without_extras_and_drops_the_lists(
        self,
    ) -> None:
        """source.git runs the git binary (and ssh for ssh-key remotes); the slim base has
        neither. The install must happen before USER, which cannot run apt."""
        [install] = [run for run in RUNTIME.all("RUN") if "apt-get install" in run]
        packages = {
            word.partition("=")[0]
            for word in install.partition("apt-get install")[2].split("&&")[0].split()
            if not word.startswith("-")
        }

        assert {"git", "openssh-client"} <= packages
        assert "--no-install-recommends" in install
        assert "rm -rf /var/lib/apt/lists/*" in install
        keywords = [keyword for keyword, _ in RUNTIME.instructions]
        assert RUNTIME.instructions.index(("RUN", install)) < keywords.index("USER")

    def test_it_runs_as_an_unprivileged_user(self) -> None:
        [user] = RUNTIME.all("USER")

        assert user not in ("root", "0")

    def test_the_entrypoint_is_the_daemon_and_the_health_check_asks_healthz(self) -> None:
        [entrypoint] = RUNTIME.all("ENTRYPOINT")
        [healthcheck] = RUNTIME.all("HEALTHCHECK")

        assert json.loads(entrypoint) == ["ecs-oauth", "run"]
        assert "/healthz" in healthcheck


@dataclass(frozen=True)
class Replayed:
    venv: Path
    log: str

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A command from the installed venv, away from this checkout (which would shadow
        the installed package)."""
        return subprocess.run(
            [str(self.venv / "bin" / args[0]), *args[1:]],
            cwd=self.venv,
            capture_output=True,
            text=True,
            check=False,
        )


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Replayed:
    """The build stage's COPY and RUN steps, run in order in a fresh folder."""
    root = tmp_path_factory.mktemp("image")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    bin_dir = root / "bin"
    bin_dir.mkdir()
    # The image's `python` is the base interpreter, not this test run's venv.
    (bin_dir / "python").symlink_to(getattr(sys, "_base_executable", sys.executable))
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    workdir, venv, log = root, root / "opt" / "ecs-oauth", []
    for keyword, argument in BUILD.instructions:
        if keyword == "ENV":
            env.update(dict(part.split("=", 1) for part in shlex.split(argument)))
        elif keyword == "WORKDIR":
            workdir = root / argument.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            *sources, target = shlex.split(argument)
            for source in sources:
                destination = (
                    workdir / target / Path(source).name
                    if target.endswith("/")
                    else workdir / target
                )
                if (REPO / source).is_dir():
                    shutil.copytree(
                        REPO / source, destination, ignore=shutil.ignore_patterns("__pycache__")
                    )
                else:
                    shutil.copy(REPO / source, destination)
        elif keyword == "RUN":
            command = argument.replace("/opt/ecs-oauth", str(venv))
            result = subprocess.run(
                ["bash", "-c", command],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT_SECONDS,
                check=False,
            )
            log.append(f"$ {command}\n{result.stdout}{result.stderr}")
            assert result.returncode == 0, "\n".join(log)
    return Replayed(venv, "\n".join(log))


@pytest.mark.slow
class TestTheImageInstall:
    def test_ecs_oauth_answers_help_from_the_installed_venv(self, replayed: Replayed) -> None:
        result = replayed.run("ecs-oauth", "--help")

        assert result.returncode == 0, result.stderr
        commands = set(re.findall(r"^    (\w+)", result.stdout, re.MULTILINE))
        assert {"run", "status", "sandbox", "validate"} <= commands

    def test_the_package_is_installed_not_linked_to_this_checkout(self, replayed: Replayed) -> None:
        located = replayed.run("python", "-c", "import controller; print(controller.__file__)")

        assert Path(located.stdout.strip()).is_relative_to(replayed.venv), located.stderr

    def test_the_examples_are_installed_where_the_sandbox_looks_for_them(
        self, replayed: Replayed
    ) -> None:
        """``<prefix>/share/ecs-oauth/examples``: ``controller.sandbox.default_desired_state``
        reads it when the package is not a checkout."""
        found = replayed.venv / "share" / "ecs-oauth" / "examples"

        examples = REPO / "examples"
        shipped = {p.relative_to(found): p.read_bytes() for p in found.rglob("*.yaml")}
        assert shipped == {
            p.relative_to(examples): p.read_bytes() for p in examples.rglob("*.yaml")
        }

    def test_the_image_carries_neither_the_sandbox_nor_an_oauth_library(
        self, replayed: Replayed
    ) -> None:
        installed = installed_versions(replayed)

        assert {"ecs-oauth", "ecs-oauth-client", "boto3", "aiohttp"} <= set(installed)
        assert not SANDBOX_ONLY & set(installed), sorted(SANDBOX_ONLY & set(installed))

    def test_every_installed_version_is_the_locked_one(self, replayed: Replayed) -> None:
        locked = dict(
            line.split("==", 1)
            for line in (REPO / "constraints.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")
        )
        locked = {normalized(name): version for name, version in locked.items()}
        installed = installed_versions(replayed)

        unlocked = {
            name: version
            for name, version in installed.items()
            if name not in ("ecs-oauth", "ecs-oauth-client", "pip", "setuptools")
            and locked.get(name) != version
        }
        assert unlocked == {}

    def test_the_sandbox_command_says_in_one_line_what_to_install(self, replayed: Replayed) -> None:
        result = replayed.run("ecs-oauth", "sandbox")

        assert result.returncode == 1
        assert result.stderr.count("\n") == 1, result.stderr
        assert 'pip install "ecs-oauth[sandbox]"' in result.stderr


# Only the sandbox and the tests' peers use these (pyproject's `sandbox` extra), and only
# the sandbox's authorization server needs an OAuth library.
SANDBOX_ONLY = {"moto", "flask", "werkzeug", "authlib", "joserfc", "regex", "flask-cors"}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_versions(replayed: Replayed) -> dict[str, str]:
    """Every distribution in the image's venv, by normalized name."""
    script = (
        "import importlib.metadata as m, json; "
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    listed = replayed.run("python", "-c", script)
    assert listed.returncode == 0, listed.stderr
    return {normalized(name): version for name, version in json.loads(listed.stdout).items()}
