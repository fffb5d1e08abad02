"""``ecs-oauth doctor`` output read back: one entry per check."""

from __future__ import annotations


def verdicts(stdout: str) -> dict[str, str]:
    """Check name -> ``STATUS detail``, with its ``fix:`` line appended after a ``|``; the
    detect-mode note above the checks and the tally below them are left out."""
    found: dict[str, str] = {}
    name = ""
    for line in stdout.splitlines()[:-1]:
        if line.startswith("Service/"):
            continue
        if line.startswith(" "):
            found[name] += f" | {line.strip()}"
            continue
        status, name, detail = line.split(maxsplit=2)
        found[name] = f"{status} {detail}"
    return found
