"""Each hostile file of the corpus, through `ecs-oauth validate` as users run it, ends in
located error lines and exit 1: no traceback, no RecursionError, no hang, and no part of
a pasted secret in the output. Timings are the benchmark's business
(bench/hostile_yaml.py), not asserted here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.hostile_yaml import (
    CORPUS,
    PASTED_SECRETS,
    REFUSALS,
    secret_fragments,
    write_case,
)

ROOT = Path(__file__).resolve().parents[3]
ERROR_LINE = re.compile(
    r"^(?P<file>[^:\n]+)(:(?P<line>\d+):(?P<column>\d+))?: error: (?P<message>.+)$"
)


def test_every_corpus_case_has_an_expected_refusal() -> None:
    assert set(REFUSALS) == set(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_a_hostile_file_is_refused_by_validate_at_its_file_line_and_column(
    tmp_path: Path, name: str
) -> None:
    path = write_case(tmp_path, name)
    # `python -m controller` with this checkout first on the path: the code under test,
    # whichever checkout the virtualenv's console script was installed from.
    ran = subprocess.run(
        [sys.executable, "-m", "controller", "validate", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert ran.returncode == 1, ran.stderr
    assert "Traceback" not in ran.stderr
    lines = [line for line in ran.stderr.splitlines() if ": error: " in line]
    located = [ERROR_LINE.match(line) for line in lines]
    assert lines, ran.stderr
    assert all(located), ran.stderr
    first = located[0]
    assert first is not None
    assert first["file"] == str(path)
    where, message = REFUSALS[name]
    assert (f"{first['line']}:{first['column']}" if first["line"] else "") == where, ran.stderr
    assert message in first["message"]
    output = ran.stdout + ran.stderr
    for fragment in secret_fragments(PASTED_SECRETS):
        assert fragment not in output, f"part of a pasted secret was echoed: {fragment!r}"
