"""The task client is a distribution of its own: installed from ``client/`` into a fresh
venv it brings httpx's tree and nothing else, and its own tests pass against that install
(not against this checkout)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
INSTALL_TIMEOUT_SECONDS = 600
LIST_DISTRIBUTIONS = """
import importlib.metadata as m, json
print(json.dumps({d.metadata["Name"]: d.requires or [] for d in m.distributions()}))
"""


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class Venv:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
        python = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([python, "-m", "venv", str(root)], check=True, timeout=120)

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.root / "bin" / args[0]), *args[1:]],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
            check=False,
        )

    def requirements(self) -> dict[str, list[str]]:
        """Every installed distribution and the names it requires (extras left out)."""
        listed = self.run("python", "-c", LIST_DISTRIBUTIONS, cwd=self.root)
        assert listed.returncode == 0, listed.stderr
        found: dict[str, list[str]] = {}
        for name, requires in json.loads(listed.stdout).items():
            found[normalized(name)] = [
                normalized(re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0])
                for requirement in requires
                if "extra ==" not in requirement
            ]
        return found


def closure(requirements: dict[str, list[str]], root: str) -> set[str]:
    """``root`` and everything it requires, transitively, among what is installed."""
    seen, todo = set(), [root]
    while todo:
        name = todo.pop()
        if name in seen or name not in requirements:
            continue
        seen.add(name)
        todo.extend(requirements[name])
    return seen


@pytest.fixture(scope="module")
def client_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``client/`` alone, away from the checkout: the build writes into its source folder."""
    target = tmp_path_factory.mktemp("client") / "client"
    shutil.copytree(
        REPO / "client",
        target,
        ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info", ".pytest_cache"),
    )
    return target


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return Venv(tmp_path_factory.mktemp("venv") / "venv")


def test_installing_the_client_brings_only_httpx_and_its_tree(
    venv: Venv, client_copy: Path
) -> None:
    installed = venv.run(
        "pip", "install", "-c", str(REPO / "constraints.txt"), str(client_copy), cwd=client_copy
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    requirements = venv.requirements()

    assert requirements["ecs-oauth-client"] == ["httpx"]
    tooling = {"pip", "setuptools"}
    assert set(requirements) - tooling == closure(requirements, "ecs-oauth-client")
    assert not {"authlib", "boto3", "moto", "aiohttp", "ecs-oauth"} & set(requirements)


def test_the_client_tests_pass_against_the_installed_client(venv: Venv, client_copy: Path) -> None:
    """Run after the install above (same module, same venv): only the test extra is added,
    and the package folder is removed from the copy so the installed one is what runs."""
    extra = venv.run(
        "pip",
        "install",
        "-c",
        str(REPO / "constraints.txt"),
        f"{client_copy}[test]",
        cwd=client_copy,
    )
    assert extra.returncode == 0, extra.stdout + extra.stderr
    shutil.rmtree(client_copy / "ecs_oauth_client")

    result = venv.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=client_copy)

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout)
    located = venv.run(
        "python", "-c", "import ecs_oauth_client as c; print(c.__file__)", cwd=client_copy
    )
    assert Path(located.stdout.strip()).is_relative_to(venv.root)
