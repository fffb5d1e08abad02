"""The README's own instructions, read out of it so the tests break when it changes."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
README = REPO / "README.md"


def section(title: str) -> str:
    """The text under ``## title``, up to the next heading of the same level."""
    text = README.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def fenced(text: str, language: str) -> list[str]:
    """The ```language blocks of ``text``, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def commands(title: str) -> list[str]:
    """The lines of the first ```sh block under ``## title``, as a person types them (a
    comment at the end of a line included), comment lines left out."""
    block = fenced(section(title), "sh")[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def fresh_machine_commands() -> list[str]:
    """The commands of "Two commands on a fresh machine"."""
    return commands("Two commands on a fresh machine")


def first_five_minutes() -> list[str]:
    """What "The sandbox" has a second shell type once the sandbox runs (**Another shell
    takes over.**), ``FOLDER`` standing for the folder the sandbox printed."""
    return commands("The sandbox")
