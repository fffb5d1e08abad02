"""``ecs-oauth crds --out DIR``: what it wrote, for people and for machines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from controller.cli import main
from controller.desired import generated_schema_files


def test_each_file_written_is_named_on_a_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crds", "--out", str(tmp_path)]) == 0
    expected = [f"wrote {tmp_path / name}" for name in generated_schema_files()]
    assert capsys.readouterr().out.splitlines() == expected


def test_with_json_output_the_files_written_are_one_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crds", "--out", str(tmp_path), "-o", "json"]) == 0
    written = json.loads(capsys.readouterr().out)["written"]
    assert written == [str(tmp_path / name) for name in generated_schema_files()]
    assert all(Path(path).read_text() for path in written)
