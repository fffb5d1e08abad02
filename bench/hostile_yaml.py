"""Hostile YAML benchmark: how long `ecs-oauth validate` takes to refuse each case.

    .venv/bin/python bench/hostile_yaml.py [--repeats K]

Writes each case of the test corpus (tests/harness/hostile_yaml.py) to a temporary
folder and runs `python -m controller validate` on it as users would, K times, with
this checkout first on PYTHONPATH: the installed console script may belong to another
checkout (an editable install), and would then measure that one's code. Prints the
best wall time per case (process start included), the best in-process ``load`` time
(the parse alone) and the error line it gave; the process start alone is measured too,
as `empty-start`.
Tests never assert timings; this script is where they are looked at.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from controller.desired import DesiredStateError, load  # noqa: E402
from tests.harness.hostile_yaml import CORPUS, write_case  # noqa: E402

CLI = [sys.executable, "-m", "controller"]


def best_run(path: Path, repeats: int) -> tuple[float, str]:
    """The fastest of ``repeats`` runs, and the first stderr line of the last one."""
    best = float("inf")
    first = ""
    for _ in range(repeats):
        started = time.perf_counter()
        ran = subprocess.run(
            [*CLI, "validate", "-f", str(path)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        best = min(best, time.perf_counter() - started)
        first = (ran.stderr.splitlines() or [""])[0]
    return best, first


def in_process(path: Path, repeats: int) -> float:
    """The fastest ``load`` of ``path`` in this process: the parse and checks alone."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        with contextlib.suppress(DesiredStateError):
            load(path)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        empty = base / "empty-start.yaml"
        empty.write_text("# nothing\n")
        elapsed, _ = best_run(empty, args.repeats)
        print(f"{'empty-start':26} {elapsed:6.3f}s")
        for name in sorted(CORPUS):
            path = write_case(base, name)
            size = path.stat().st_size
            elapsed, line = best_run(path, args.repeats)
            parse = in_process(path, args.repeats)
            shown = line.replace(str(base) + "/", "")
            print(f"{name:26} {elapsed:6.3f}s (load {parse:6.3f}s) {size:>9} bytes  {shown}")


if __name__ == "__main__":
    main()
