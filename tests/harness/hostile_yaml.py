"""Hostile desired-state files, generated rather than committed: each is a few lines of
code, and a reader sees what makes it hostile without opening a multi-MiB blob."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

HEADER = "apiVersion: ecs-oauth.dev/v1alpha1\nkind: Scope\n"


def stacked_alias_chain(blocks: int = 24, depth: int = 60) -> str:
    """About 3 KB: each anchor nests the previous one ``depth`` brackets deeper, so no
    block as written passes the depth limit but the expanded value is 1,400 levels deep."""
    lines = ["b0: &b0 1"]
    for n in range(1, blocks):
        lines.append(f"b{n}: &b{n} " + "[" * depth + f"*b{n - 1}" + "]" * depth)
    return "\n".join(lines) + "\n"


def doubling_aliases(levels: int = 40) -> str:
    """``a: &a [1]``, ``b: &b [*a, *a]``...: each line doubles the expanded size."""
    lines = ["a0: &a0 [1]"]
    lines += [f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def open_brackets(levels: int = 100_000) -> str:
    return "[" * levels


def over_four_mib() -> bytes:
    """A valid-looking document followed by comments: large, not malformed."""
    line = b"# " + b"x" * 1021 + b"\n"
    return (HEADER + "metadata: {name: x}\n").encode() + line * (4 * 1024 + 1)


def huge_flow_list() -> str:
    """Just under 4 MiB: one flow list of two million items, refused after the first
    100,000 rather than composed whole."""
    return "[" + "1," * (2 * 1024 * 1024 - 10) + "1]"


# name -> its contents, made on demand; every case must end in one located error.
CORPUS: dict[str, Callable[[], str | bytes]] = {
    "stacked-alias-chain.yaml": stacked_alias_chain,
    "doubling-aliases.yaml": doubling_aliases,
    "open-brackets.yaml": open_brackets,
    "over-four-mib.yaml": over_four_mib,
    "huge-flow-list.yaml": huge_flow_list,
}


def write_case(folder: Path, name: str) -> Path:
    """Write one corpus case to ``folder/name``; return its path."""
    content = CORPUS[name]()
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
