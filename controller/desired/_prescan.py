"""A fast first pass over a YAML text that finds where it crosses the nesting or node limit.

PyYAML's pure-Python parser needs about 20 microseconds per node: a 4 MiB flow list
composed up to the node limit took over 2 s before it was refused. LibYAML (the C parser
PyYAML ships with) walks the same events in a tenth of that, so we count with it first,
and refuse at the event where the limit is crossed: the same event, hence the same
FILE:LINE:COL, at which the bounded composer would have refused.

The pass only counts; it never builds values. When LibYAML is missing, or rejects the
text (its syntax errors are worded differently, and it has its own nesting cap of 1,000),
it says nothing and the bounded pure-Python composer decides, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import yaml

# LibYAML is bundled with PyYAML's wheels; a source build may lack it, and then has no
# yaml.cyaml module.
_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)

_NODE_EVENTS = (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)


@dataclass(frozen=True)
class Excess:
    """Where a limit is first crossed (0-based, as in PyYAML's marks), and which one."""

    line: int
    column: int
    limit: Literal["depth", "nodes"]


def first_excess(text: str, max_depth: int, max_nodes: int) -> Excess | None:
    """The first node nested deeper than ``max_depth`` or beyond the ``max_nodes``-th in
    ``text`` (all documents counted, aliases not expanded, keys included), as the
    composer counts them; None when neither is crossed or LibYAML cannot tell."""
    if _CParser is None:
        return None
    parser: Any = _CParser(text)
    open_collections = 0
    nodes = 0
    try:
        while (event := parser.get_event()) is not None:
            if isinstance(event, _NODE_EVENTS):
                nodes += 1
                if open_collections >= max_depth:  # this node would be level max_depth + 1
                    return _excess(event, "depth")
                if nodes > max_nodes:
                    return _excess(event, "nodes")
                if isinstance(event, yaml.CollectionStartEvent):
                    open_collections += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                open_collections -= 1
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()
    return None


def _excess(event: yaml.Event, limit: Literal["depth", "nodes"]) -> Excess:
    mark: Any = event.start_mark  # LibYAML's marks are never None
    return Excess(mark.line, mark.column, limit)
