"""Files to typed objects: find the files, parse them, validate each document's schema.

Every problem becomes a Diagnostic at the node at fault; nothing here raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from controller.desired._diagnostics import Diagnostic, Location
from controller.desired._explain import describe, did_you_mean, models_by_name
from controller.desired._kinds import API_VERSION, KINDS, AnyObject
from controller.desired._yaml import MAX_FILE_BYTES, Document, parse_documents, too_large

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Placed:
    """A validated object and the document it came from, so later rules can point into it."""

    obj: AnyObject
    document: Document

    @property
    def key(self) -> str:
        return f"{self.obj.kind}/{self.obj.metadata.name}"


def find_files(path: Path) -> tuple[list[Path], list[Diagnostic]]:
    """A file, or every YAML file below a folder in a stable (sorted) order."""
    if path.is_file():
        return [path], []
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        if not files:
            return [], [Diagnostic(Location(str(path)), "no *.yaml or *.yml files in this folder")]
        return files, []
    return [], [Diagnostic(Location(str(path)), "no such file or folder")]


def claimed_key(document: Document) -> str | None:
    """The ``Kind/name`` a document says it defines, valid or not, when it says so plainly:
    an object whose document is refused is still known to exist."""
    data = document.data
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        return None
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return f"{data['kind']}/{name}" if isinstance(name, str) else None


def read_documents(files: list[Path]) -> tuple[list[Document], list[Diagnostic]]:
    documents: list[Document] = []
    diagnostics: list[Diagnostic] = []
    for file in files:
        try:
            raw = _read_capped(file)
        except OSError as exc:
            diagnostics.append(Diagnostic(Location(str(file)), f"cannot read: {exc.strerror}"))
            continue
        if raw is None:
            diagnostics.append(too_large(str(file)))
            continue
        found, problems = parse_documents(str(file), raw)
        documents.extend(found)
        diagnostics.extend(problems)
    return documents, diagnostics


def _read_capped(file: Path) -> bytes | None:
    """The file's bytes, or None when it is over the limit: its size is checked before
    reading, and at most one byte past the limit is read (a file growing while read)."""
    if file.stat().st_size > MAX_FILE_BYTES:
        return None
    with file.open("rb") as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)
    return None if len(raw) > MAX_FILE_BYTES else raw


def to_object(
    document: Document, settings_keys: frozenset[str] = frozenset()
) -> tuple[Placed | None, list[Diagnostic]]:
    """Validate one document against its kind's model. ``settings_keys`` are the top-level
    keys of the controller's values files, so a values file given as desired state is named
    for what it is."""
    data = document.data
    if not isinstance(data, dict):
        found = type(data).__name__
        message = (
            f"a desired-state document must be a mapping with apiVersion and kind, not a {found}"
        )
        return None, [Diagnostic(document.start, message)]
    if "apiVersion" not in data and "kind" not in data and data.keys() & settings_keys:
        message = "this looks like a values file (controller settings): pass it with --values"
        return None, [Diagnostic(document.start, message)]
    if data.get("apiVersion") != API_VERSION:
        where = document.value_at(("apiVersion",)) if "apiVersion" in data else document.start
        got = repr(data["apiVersion"]) if "apiVersion" in data else "none"
        return None, [Diagnostic(where, f"unknown apiVersion {got}; expected {API_VERSION!r}")]
    kind = data.get("kind")
    model = KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        where = document.value_at(("kind",)) if "kind" in data else document.start
        expected = ", ".join(KINDS)
        return None, [Diagnostic(where, f"unknown kind {kind!r}; expected one of {expected}")]
    try:
        return Placed(model.model_validate(data), document), []
    except ValidationError as exc:
        return None, [_diagnostic(document, error) for error in exc.errors()]


def _diagnostic(document: Document, error: ErrorDetails) -> Diagnostic:
    path = _written_path(document, error["loc"])
    # repr() keeps a key holding a newline or control character on the error's one line.
    dotted = ".".join(str(p) if str(p).isprintable() else repr(p) for p in path)
    kind = error["type"]
    if kind == "extra_forbidden":
        field = str(path[-1])
        message = f"unknown field {field!r}{_suggestion(field)}"
        return Diagnostic(document.key_at(path), message)
    if kind == "missing":
        return Diagnostic(document.value_at(path), f"missing required field {dotted!r}")
    return Diagnostic(document.value_at(path), f"{dotted}: {describe(error, path, _MODELS)}")


def _written_path(document: Document, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """pydantic names a field it filled from its default by the Python name; users write the
    alias (``gracePeriod``, not ``grace_period``)."""
    path: tuple[int | str, ...] = ()
    for part in loc:
        if isinstance(part, str) and (*path, part) not in document.values:
            part = _ALIASES.get(part, part)
        path = (*path, part)
    return path


def _field_aliases() -> dict[str, str]:
    """Python field name -> the name written in YAML, for every field of every kind."""
    return {
        name: field.alias or name
        for model in _MODELS.values()
        for name, field in model.model_fields.items()
    }


_MODELS = models_by_name(KINDS.values())
_ALIASES = _field_aliases()
_FIELDS = set(_ALIASES.values())


def _suggestion(field: str) -> str:
    if field in _FIELDS:  # right name, wrong place (tokenLifetime on a Scope, say)
        return "; that field belongs elsewhere (see the kind's schema in crds/)"
    return did_you_mean(field, _FIELDS)
