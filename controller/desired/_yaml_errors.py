"""YAML syntax errors in plain words, each with what to do about it.

PyYAML and LibYAML word their errors for parser authors ("expected <block end>, but found
'<block mapping start>'"); people meet them after an indentation slip or a tab. Both
wordings are recognised here; one neither table knows keeps the parser's own text.
"""

from __future__ import annotations

import re

import yaml

TABS = "YAML does not allow tabs for indentation; use spaces"
INDENTATION = "check the indentation of this line or the one above"

_FLOW = re.compile(r"expected ',' or '(?P<closer>[\]}])'")
_ALIAS = re.compile(r"\*([^\s,\[\]{}]+)")
_OUT_OF_PLACE = (
    "expected <block end>",  # PyYAML
    "did not find expected key",  # LibYAML
    "did not find expected '-' indicator",  # LibYAML
)


def explain(error: yaml.MarkedYAMLError, text: str) -> tuple[yaml.Mark | None, str]:
    """Where to point and what to say for one syntax error in ``text``."""
    problem = error.problem or str(error).splitlines()[0]
    context = error.context or ""
    mark = error.problem_mark or error.context_mark
    found = _character_at(text, mark)
    if found == "\t" or "tab character" in problem:
        return mark, f"a tab character here; {TABS}"
    if "cannot start any token" in problem:
        return mark, f"a plain value cannot start with {found!r}; put the value in quotes"
    if "mapping values are not allowed" in problem:
        return (
            mark,
            f"a ':' where no mapping can start; {INDENTATION}, or quote a value that holds ': '",
        )
    if problem.startswith(_OUT_OF_PLACE):
        return mark, f"this line does not line up with the lines above it; {INDENTATION}"
    if "could not find expected ':'" in problem:
        where = error.context_mark or mark  # the key's line; the problem mark is the next one
        return where, f"this line has no ':' after its key; {INDENTATION}"
    if flow := _FLOW.search(problem):
        closer = flow["closer"]
        what, opener = ("list", "[") if closer == "]" else ("mapping", "{")
        return mark, (
            f"the {what} opened with '{opener}' at {_place(error.context_mark)} is not closed; "
            f"close it with '{closer}' and separate its items with ','"
        )
    if "quoted scalar" in context and "end of stream" in problem:
        return (
            error.context_mark or mark,
            "this quoted value is never closed; add the closing quote",
        )
    if "unknown escape character" in problem:
        return mark, (
            "an unknown escape sequence in a double-quoted value; write '\\\\' for a "
            "backslash, or use single quotes"
        )
    if "undefined alias" in problem:
        alias = _ALIAS.match(text, _offset(text, mark)) if mark is not None else None
        name = alias[1] if alias else "NAME"
        return mark, f"*{name} refers to no anchor; define &{name} on a value before it"
    return mark, problem


def _place(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "its start"


def _offset(text: str, mark: yaml.Mark) -> int:
    """The character offset of a mark: counted from its line, which both parsers agree on
    (LibYAML's own index counts differently past non-ASCII text)."""
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: mark.line]) + mark.column


def _character_at(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    offset = _offset(text, mark)
    return text[offset] if 0 <= offset < len(text) else ""
