"""YAML to plain data, keeping the file position of every node.

PyYAML's composer gives us nodes with marks; we build the Python values ourselves so that
every value keeps its position and hostile input (alias bombs, deep nesting, huge files,
bad encodings) ends in a located error instead of a hang, a MemoryError or a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from controller.desired._diagnostics import Diagnostic, Location
from controller.desired._libyaml import Excess, Unavailable, compose_all
from controller.desired._redact import shown
from controller.desired._yaml_errors import explain

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
# Counted per file: aliases cannot reach across documents, so one bomb per document, many
# documents per file, would otherwise multiply a few MiB into billions of values.
MAX_NODES_PER_FILE = 100_000
_PLAIN_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels; flatten the document"
TOO_MANY_NODES = f"file holds more than {MAX_NODES_PER_FILE} nodes; split it"

Path = tuple[str | int, ...]


@dataclass
class Document:
    """One YAML document as plain data, with positions of its values and mapping keys."""

    file: str
    data: Any
    start: Location
    values: dict[Path, Location] = field(default_factory=dict)
    keys: dict[Path, Location] = field(default_factory=dict)

    def value_at(self, path: Path) -> Location:
        """The position of the value at ``path``, or of its nearest ancestor that exists."""
        return _nearest(self.values, path) or self.start

    def key_at(self, path: Path) -> Location:
        """The position of the mapping key that names ``path`` (for unknown fields)."""
        return self.keys.get(path) or self.value_at(path)


def _nearest(positions: dict[Path, Location], path: Path) -> Location | None:
    for end in range(len(path), -1, -1):
        found = positions.get(path[:end])
        if found is not None:
            return found
    return None


class _DocumentProblem(Exception):
    def __init__(self, mark: yaml.Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader whose composer refuses nesting deeper than MAX_DEPTH, and more than
    MAX_NODES_PER_FILE nodes, as it goes.

    The composer is recursive; without a bound, a file of ten thousand ``[`` ends in a
    RecursionError deep inside PyYAML.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._composed = 0
        self.nodes_left = MAX_NODES_PER_FILE

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        self._composed += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _DocumentProblem(
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                    TOO_DEEP,
                )
            if self._composed > MAX_NODES_PER_FILE:
                # Counted here too, not only when building: a 4 MiB flow list of two
                # million items would otherwise be composed whole first (a minute, a GiB).
                raise _DocumentProblem(
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                    TOO_MANY_NODES,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _location(file: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(file)
    return Location(file, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns one composed node graph into plain data, counting nodes to stop alias bombs."""

    def __init__(self, loader: _BoundedLoader, document: Document) -> None:
        self._loader = loader
        self._document = document
        self._open: set[int] = set()  # the collections being built: an alias to one loops
        # A node reached through many aliases is placed once: an alias bomb is refused
        # after MAX_NODES_PER_FILE builds, and each build should cost as little as it can.
        self._placed: dict[int, Location] = {}

    def build(self, node: yaml.Node, path: Path) -> Any:
        self._loader.nodes_left -= 1
        if self._loader.nodes_left < 0:
            raise _DocumentProblem(
                node.start_mark,
                f"file expands to more than {MAX_NODES_PER_FILE} nodes "
                "(are aliases multiplying it?)",
            )
        if len(path) >= MAX_DEPTH:
            # The composer bounds nesting as written; aliases can still stack 64-deep blocks
            # into thousands of levels (a 3 KB file once ended in a RecursionError here).
            # Bounding the expanded depth also bounds every later recursive walk of the
            # value (pydantic, repr, equality).
            raise _DocumentProblem(
                node.start_mark,
                f"nesting deeper than {MAX_DEPTH} levels once aliases are expanded; "
                "flatten the document",
            )
        if path not in self._document.values:
            placed = self._placed.get(id(node))
            if placed is None:
                placed = self._placed[id(node)] = _location(self._document.file, node.start_mark)
            self._document.values[path] = placed
        if not isinstance(node, yaml.CollectionNode):
            return self._construct(node)
        if node.tag not in _PLAIN_COLLECTION_TAGS:
            raise _DocumentProblem(node.start_mark, f"unsupported tag {node.tag!r}")
        if id(node) in self._open:
            raise _DocumentProblem(
                node.start_mark, "an alias inside this node refers to itself; write it out"
            )
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _construct(self, node: yaml.Node) -> Any:
        """A scalar's value; PyYAML's constructors fail on bad input with bare exceptions."""
        try:
            return self._loader.construct_object(node, deep=False)
        except yaml.YAMLError:
            raise
        except Exception:  # ValueError, KeyError, AttributeError... for '!!int x' and kin
            tag = node.tag.rsplit(":", 1)[-1]
            raise _DocumentProblem(
                node.start_mark, f"{shown(node.value)} is not a valid {tag}"
            ) from None

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _DocumentProblem(key_node.start_mark, "merge keys ('<<') are not supported")
            key = self._construct(key_node)
            if not isinstance(key, str):
                raise _DocumentProblem(
                    key_node.start_mark, f"mapping keys must be strings, not {key!r}"
                )
            if key in result:
                raise _DocumentProblem(key_node.start_mark, f"duplicate key {key!r}")
            self._document.keys[(*path, key)] = _location(self._document.file, key_node.start_mark)
            result[key] = self.build(value_node, (*path, key))
        return result


def _decode(file: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise _FileProblem(
            Diagnostic(Location(file, line, column), "file is not valid UTF-8; save it as UTF-8")
        ) from None


class _FileProblem(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def too_large(file: str) -> Diagnostic:
    """The refusal of a file over MAX_FILE_BYTES, given before any of it is parsed."""
    return Diagnostic(
        Location(file), f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; split it"
    )


def parse_documents(file: str, raw: bytes) -> tuple[list[Document], list[Diagnostic]]:
    """Every non-empty document in ``raw``; a file with a syntax error yields its error instead."""
    if len(raw) > MAX_FILE_BYTES:
        return [], [too_large(file)]
    try:
        text = _decode(file, raw)
        return list(_documents(file, text)), []
    except _FileProblem as problem:
        return [], [problem.diagnostic]
    except _DocumentProblem as problem:
        return [], [Diagnostic(_location(file, problem.mark), problem.message)]
    except yaml.MarkedYAMLError as exc:
        mark, message = explain(exc, raw.decode("utf-8", errors="replace"))
        return [], [Diagnostic(_location(file, mark), f"invalid YAML: {message}")]
    except yaml.YAMLError as exc:  # reader errors carry a position but no Mark subclass
        position = getattr(exc, "position", None)
        line, column = text_position(raw, position) if isinstance(position, int) else (1, 1)
        first_line = str(exc).splitlines()[0]  # the rest names "<unicode string>"
        return [], [Diagnostic(Location(file, line, column), f"invalid YAML: {first_line}")]


def text_line(raw: bytes, character_offset: int) -> int:
    """The 1-based line of a character offset, for errors that only know the offset."""
    return text_position(raw, character_offset)[0]


def text_position(raw: bytes, character_offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset."""
    before = raw.decode("utf-8", errors="replace")[:character_offset]
    return before.count("\n") + 1, character_offset - (before.rfind("\n") + 1) + 1


def _documents(file: str, text: str) -> list[Document]:
    """LibYAML's events composed by us when it reads the text; PyYAML's bounded parser
    when it does not (its syntax errors are the ones we show)."""
    loader = _BoundedLoader(text)  # PyYAML's reader checks every character here, first
    try:
        return list(_built(file, loader, compose_all(text, loader, MAX_DEPTH, MAX_NODES_PER_FILE)))
    except Excess as excess:
        raise _DocumentProblem(
            excess.mark, TOO_DEEP if excess.limit == "depth" else TOO_MANY_NODES
        ) from None
    except Unavailable:
        pass
    finally:
        loader.dispose()
    loader = _BoundedLoader(text)
    try:
        return list(_built(file, loader, _composed(loader)))
    finally:
        loader.dispose()


def _composed(loader: _BoundedLoader) -> Iterator[yaml.Node]:
    while loader.check_node():
        node = loader.get_node()
        if node is not None:
            yield node


def _built(file: str, loader: _BoundedLoader, roots: Iterator[yaml.Node]) -> Iterator[Document]:
    for node in roots:
        document = Document(file=file, data=None, start=_location(file, node.start_mark))
        document.data = _Builder(loader, document).build(node, ())
        if document.data is not None:
            yield document
