"""What ``ecs-oauth sandbox`` refuses before it starts anything: one line per problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ECS_OAUTH = Path(sys.executable).parent / "ecs-oauth"


def sandbox(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ECS_OAUTH), "sandbox", "--port", "0", *args],
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_invalid_desired_state_is_reported_at_its_line_and_nothing_starts(
    tmp_path: Path,
) -> None:
    desired = tmp_path / "bad.yaml"
    desired.write_text("apiVersion: ecs-oauth.dev/v1alpha1\nkind: Servic\nmetadata: {name: x}\n")

    result = sandbox(tmp_path, "-f", str(desired))

    assert result.returncode == 1
    assert result.stderr.startswith(f"{desired}:2:")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not list(tmp_path.glob("ecs-oauth-sandbox-*"))


def test_an_unknown_setting_is_reported_where_it_was_set(tmp_path: Path) -> None:
    result = sandbox(tmp_path, "--set", "resyncIntervall=5s")

    assert result.returncode == 1
    assert result.stderr.startswith("--set:1:1: error: resyncIntervall: unknown setting")
    assert not list(tmp_path.glob("ecs-oauth-sandbox-*"))
