"""YAML nodes composed from LibYAML's events, with the nesting and node limits counted as
the events arrive.

PyYAML's pure-Python parser needs about 20 microseconds per node: a 4 MiB flow list took
over 2 s to reach the node limit, and any file of many nodes took as long before a later
problem (an alias bomb, a syntax error at its end) could be reported. LibYAML, the C
parser PyYAML ships with, gives the same events with the same marks in a tenth of that;
we build PyYAML's nodes from them here, the way PyYAML's composer does, but in a loop
(no recursion, whatever the nesting) and refusing at the event that crosses a limit.

A first pass only counts, so that a limit is refused before any document is built. When
LibYAML is missing, or rejects the text early on, ``Unavailable`` is raised and the bounded
pure-Python composer reads the file instead: its syntax errors are the ones users are
shown (LibYAML words them differently, and stops at 1,000 levels of its own accord). A
syntax error after many nodes is LibYAML's to report, located and worded its way: the
pure-Python parser would take seconds to reach it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import yaml

# LibYAML is bundled with PyYAML's wheels; a source build may lack it, and then has no
# yaml.cyaml module.
_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)
_NODE_EVENTS = (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)
# Up to this many nodes before LibYAML's syntax error, PyYAML reads the file again to word
# it (a fifth of a second at most); past it, LibYAML's own error is reported.
REWORD_UP_TO_NODES = 10_000


class Unavailable(Exception):
    """LibYAML is not installed or did not accept the text: use the pure-Python parser."""


class Excess(Exception):
    """A node nested deeper than allowed, or one past the node limit, at ``mark``."""

    def __init__(self, mark: yaml.Mark, limit: Literal["depth", "nodes"]) -> None:
        super().__init__(limit)
        self.mark = mark
        self.limit = limit


@dataclass
class _Open:
    """A collection whose end event has not come yet, and its pending mapping key."""

    node: yaml.SequenceNode | yaml.MappingNode
    key: yaml.Node | None = None


def compose_all(
    text: str, resolver: yaml.resolver.BaseResolver, max_depth: int, max_nodes: int
) -> Iterator[yaml.Node]:
    """Each document's root node, as PyYAML's composer would give it, with every node
    counted (all documents, aliases not expanded, keys included) and none deeper than
    ``max_depth``. Raises ``Excess``, ``Unavailable`` or PyYAML's ComposerError."""
    if _CParser is None:
        raise Unavailable
    _count(text, max_depth, max_nodes)
    parser: Any = _CParser(text)
    try:
        yield from _compose(parser, resolver, max_depth, max_nodes)
    finally:
        parser.dispose()


def _count(text: str, max_depth: int, max_nodes: int) -> None:
    """Raise ``Excess`` at the first node past a limit, or LibYAML's syntax error (or
    ``Unavailable``, see the module's docstring); return when the text is within both."""
    parser: Any = _CParser(text)
    open_collections = 0
    nodes = 0
    try:
        while (event := parser.get_event()) is not None:
            if isinstance(event, _NODE_EVENTS):
                nodes += 1
                _within_limits(event, open_collections, nodes, max_depth, max_nodes)
                if isinstance(event, yaml.CollectionStartEvent):
                    open_collections += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                open_collections -= 1
    except yaml.MarkedYAMLError as exc:
        if nodes <= REWORD_UP_TO_NODES or "nesting depth" in str(exc.problem):
            raise Unavailable from None
        raise
    except yaml.YAMLError:
        raise Unavailable from None
    finally:
        parser.dispose()


def _compose(
    parser: Any, resolver: yaml.resolver.BaseResolver, max_depth: int, max_nodes: int
) -> Iterator[yaml.Node]:
    anchors: dict[str, yaml.Node] = {}
    stack: list[_Open] = []
    nodes = 0
    while (event := parser.get_event()) is not None:
        if isinstance(event, _NODE_EVENTS):
            nodes += 1
            _within_limits(event, len(stack), nodes, max_depth, max_nodes)
            node = _node(event, anchors, resolver)
            if isinstance(event, yaml.CollectionStartEvent):
                assert isinstance(node, yaml.SequenceNode | yaml.MappingNode)
                stack.append(_Open(node))
                continue
        elif isinstance(event, yaml.CollectionEndEvent):
            done = stack.pop()
            done.node.end_mark = event.end_mark
            node = done.node
        elif isinstance(event, yaml.DocumentEndEvent):
            anchors = {}
            continue
        else:  # stream and document starts, the stream's end
            continue
        if not stack:
            yield node
        else:
            _attach(stack[-1], node)


def _within_limits(event: Any, open_collections: int, nodes: int, depth: int, count: int) -> None:
    """Raise ``Excess`` at the node event that is one level or one node too many: inside
    ``open_collections`` it would be at level ``open_collections + 1``."""
    if open_collections >= depth:
        raise Excess(event.start_mark, "depth")
    if nodes > count:
        raise Excess(event.start_mark, "nodes")


def _node(
    event: Any, anchors: dict[str, yaml.Node], resolver: yaml.resolver.BaseResolver
) -> yaml.Node:
    """The node an event starts, registered under its anchor before its children come,
    as PyYAML does (so an alias to an ancestor is the ancestor itself)."""
    # LibYAML's marks (yaml._yaml.Mark) carry the same line, column and name as PyYAML's.
    start: Any = event.start_mark
    end: Any = event.end_mark
    if isinstance(event, yaml.AliasEvent):
        if event.anchor not in anchors:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", start
            )
        return anchors[event.anchor]
    if event.anchor is not None and event.anchor in anchors:
        raise yaml.composer.ComposerError(
            f"found duplicate anchor {event.anchor!r}; first occurrence",
            anchors[event.anchor].start_mark,
            "second occurrence",
            start,
        )
    node: yaml.Node
    tag = event.tag
    if isinstance(event, yaml.ScalarEvent):
        if tag is None or tag == "!":
            tag = _resolve(resolver, yaml.ScalarNode, event.value, event.implicit)
        node = yaml.ScalarNode(tag, event.value, start, end, event.style)
    elif isinstance(event, yaml.SequenceStartEvent):
        if tag is None or tag == "!":
            tag = _resolve(resolver, yaml.SequenceNode, None, event.implicit)
        node = yaml.SequenceNode(tag, [], start, None, event.flow_style)
    else:
        if tag is None or tag == "!":
            tag = _resolve(resolver, yaml.MappingNode, None, event.implicit)
        node = yaml.MappingNode(tag, [], start, None, event.flow_style)
    if event.anchor is not None:
        anchors[event.anchor] = node
    return node


def _attach(parent: _Open, node: yaml.Node) -> None:
    if isinstance(parent.node, yaml.SequenceNode):
        parent.node.value.append(node)
    elif parent.key is None:
        parent.key = node
    else:
        parent.node.value.append((parent.key, node))
        parent.key = None


def _resolve(resolver: Any, kind: type[yaml.Node], value: str | None, implicit: Any) -> str:
    """The tag PyYAML's resolver gives an untagged node (``42`` an int, ``yes`` a bool)."""
    tag: str = resolver.resolve(kind, value, implicit)
    return tag
