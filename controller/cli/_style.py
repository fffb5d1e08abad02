"""Colour for people, plain text for everything else.

Colour is on only where a person reads: the stream is a terminal, ``NO_COLOR`` is unset
or empty (https://no-color.org) and ``TERM`` is not ``dumb``. Pipes, files, CI logs and
``-o json`` stay free of escape codes. Every command that colours asks :func:`style_for`
once and passes the :class:`Style` to its pure renderers, which tests call with
:data:`PLAIN` or with colour forced on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

_RESET = "\033[0m"
_CODES = {"green": "32", "red": "31", "yellow": "33", "bold": "1", "dim": "2"}


def colour_wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether text written to ``stream`` may carry colour."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


@dataclass(frozen=True)
class Style:
    """Paints text when ``enabled``; otherwise returns it unchanged. Pad before painting:
    escape codes have no width on screen but count in ``str.ljust``."""

    enabled: bool

    def paint(self, text: str, colour: str) -> str:
        if not self.enabled or not text:
            return text
        return f"\033[{_CODES[colour]}m{text}{_RESET}"

    def good(self, text: str) -> str:
        return self.paint(text, "green")

    def bad(self, text: str) -> str:
        return self.paint(text, "red")

    def warn(self, text: str) -> str:
        return self.paint(text, "yellow")

    def dim(self, text: str) -> str:
        return self.paint(text, "dim")

    def bold(self, text: str) -> str:
        return self.paint(text, "bold")


PLAIN = Style(enabled=False)
COLOUR = Style(enabled=True)


def style_for(stream: TextIO | None = None) -> Style:
    """The style for ``stream`` (default stdout) in this process's environment."""
    return Style(colour_wanted(sys.stdout if stream is None else stream))
