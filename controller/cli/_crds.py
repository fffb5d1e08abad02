"""``ecs-oauth crds --out DIR``: regenerate the CRDs and editor schema from the models."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from controller.cli._common import add_output, print_json, wants_json
from controller.desired import generated_schema_files


def register(commands: Any) -> None:
    parser = commands.add_parser("crds", help="regenerate crds/ from the models")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="the folder to write them to"
    )
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in generated_schema_files().items():
        (out / name).write_text(content, encoding="utf-8")
        written.append(str(out / name))
        if not wants_json(args):
            print(f"wrote {out / name}")
    if wants_json(args):
        print_json({"written": written})
    return 0
