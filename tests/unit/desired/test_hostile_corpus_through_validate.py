"""Each hostile file of the corpus, through `ecs-oauth validate` as users run it, ends in
one located error line and exit 1: no traceback, no RecursionError, no hang."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.hostile_yaml import CORPUS, write_case

ERROR_LINE = re.compile(
    r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<column>\d+): error: (?P<message>.+)$"
)
EXPECTED = {
    "stacked-alias-chain.yaml": "nesting deeper than 64 levels once aliases are expanded",
    "doubling-aliases.yaml": "more than 100000 nodes (are aliases multiplying it?)",
    "open-brackets.yaml": "nesting deeper than 64 levels; flatten the document",
    "over-four-mib.yaml": "file is larger than 4 MiB; split it",
    "huge-flow-list.yaml": "file holds more than 100000 nodes; split it",
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_a_hostile_file_is_refused_by_validate_with_file_line_and_column(
    tmp_path: Path, name: str
) -> None:
    path = write_case(tmp_path, name)
    ran = subprocess.run(
        [str(Path(sys.executable).parent / "ecs-oauth"), "validate", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 1, ran.stderr
    assert "Traceback" not in ran.stderr
    lines = ran.stderr.splitlines()
    located = [m for m in map(ERROR_LINE.match, lines) if m]
    assert len(located) == 1, ran.stderr
    assert located[0]["file"] == str(path)
    assert int(located[0]["line"]) >= 1
    assert int(located[0]["column"]) >= 1
    assert EXPECTED[name] in located[0]["message"]
