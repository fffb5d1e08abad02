"""``python -m controller.sandbox.aws``: the sandbox's drift commands without the aws CLI.

The sandbox prints ``aws --endpoint-url ... SERVICE OPERATION --param value`` commands
that change its world by hand. Not every machine has the aws CLI, so this module takes
the same arguments and makes the same call with boto3: the global options the sandbox
prints (``--endpoint-url``, ``--region``), an operation in the
CLI's spelling, ``--cli-input-json`` (inline or ``file://``), and parameters in the
CLI's spelling whose values are scalars, space-separated lists or JSON. It prints the
answer as JSON, as the CLI does. Anything else is refused with one line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from botocore.model import Shape, StructureShape

_SCALARS: dict[str, Any] = {
    "integer": int,
    "long": int,
    "float": float,
    "double": float,
    "string": str,
    "timestamp": str,
    "blob": str,
}


class UsageError(Exception):
    pass


def _text(value: str) -> str:
    """A parameter's value; ``file://PATH`` means the file's content, as in the aws CLI."""
    return Path(value.removeprefix("file://")).read_text() if value.startswith("file://") else value


def _convert(shape: Shape, values: list[str]) -> Any:
    if shape.type_name == "list":
        member: Shape = shape.member
        if member.type_name in _SCALARS:
            return [_SCALARS[member.type_name](_text(v)) for v in values]
    if len(values) != 1:
        raise UsageError(f"expected one value, got {len(values)}")
    text = _text(values[0])
    if shape.type_name in _SCALARS:
        return _SCALARS[shape.type_name](text)
    if shape.type_name == "boolean":
        return text.lower() == "true"
    return json.loads(text)


def parameters(shape: StructureShape | None, args: Sequence[str]) -> dict[str, Any]:
    """The API parameters for CLI-style ``args`` of an operation with input ``shape``."""
    members = {
        xform_name(name, "-"): (name, s) for name, s in (shape.members if shape else {}).items()
    }
    found: dict[str, Any] = {}
    index = 0
    while index < len(args):
        option = args[index]
        if not option.startswith("--"):
            raise UsageError(f"unexpected argument {option!r}")
        values = []
        index += 1
        while index < len(args) and not args[index].startswith("--"):
            values.append(args[index])
            index += 1
        name = option[2:]
        if name == "cli-input-json" and len(values) == 1:
            found.update(json.loads(_text(values[0])))
        elif name in members and members[name][1].type_name == "boolean" and not values:
            found[members[name][0]] = True
        elif name.startswith("no-") and name[3:] in members and not values:
            found[members[name[3:]][0]] = False
        elif name in members:
            found[members[name][0]] = _convert(members[name][1], values)
        else:
            raise UsageError(f"unknown option --{name}")
    return found


def call(argv: Sequence[str]) -> dict[str, Any]:
    """Parse an aws CLI command line (without ``aws``) and make the call."""
    parser = argparse.ArgumentParser(prog="python -m controller.sandbox.aws", add_help=True)
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("service")
    parser.add_argument("operation")
    parser.add_argument("parameters", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    # The sandbox's AWS takes any credentials (it needs a signature to tell the services
    # apart); fixed ones keep a real account out of reach.
    client = boto3.client(
        args.service,
        endpoint_url=args.endpoint_url,
        region_name=args.region,
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",  # noqa: S106 - not a secret: the sandbox takes any
    )
    model = client.meta.service_model
    operations = {xform_name(name, "-"): name for name in model.operation_names}
    if args.operation not in operations:
        raise UsageError(f"{args.service} has no operation {args.operation}")
    operation = model.operation_model(operations[args.operation])
    request = parameters(operation.input_shape, args.parameters)
    response: dict[str, Any] = getattr(client, xform_name(operation.name))(**request)
    response.pop("ResponseMetadata", None)
    return response


def main(argv: Sequence[str] | None = None) -> int:
    try:
        response = call(sys.argv[1:] if argv is None else argv)
    except (UsageError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 254
    print(json.dumps(response, indent=4, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
