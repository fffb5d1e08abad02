"""The nodes we compose from LibYAML's events are PyYAML's: the same values, the same
FILE:LINE:COL for every value and key, and the same refusal at the same place, for every
shape of nesting, size, anchors, tags and documents; the pure-Python parser takes over,
with its own wording, whenever LibYAML rejects the text.

The node limit is lowered for the size comparisons so that the pure-Python side, which
is what LibYAML is there to spare us, stays quick.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.desired import _libyaml, _yaml

from .helpers import BASE, EXAMPLES

NODES = 1_000
SHAPES = {
    "flow-list": "[" + "1," * 3_000 + "1]",
    "flow-list-over-lines": "[\n" + "1,\n" * 3_000 + "1]",
    "block-list": "- 1\n" * 3_000,
    "mapping-keys": "".join(f"k{i}: {i}\n" for i in range(3_000)),
    "many-documents": "---\na: [1, 2]\n" * 1_000,
    "non-ascii": "- é\n- ü\n" * 1_000,
    "open-brackets": "[" * 2_000,
    "open-brackets-over-lines": "[\n" * 500,
    "block-dashes": "- " * 500,
    "indented-dashes": "".join("  " * i + "-\n" for i in range(200)),
    "flow-mappings": "{a: " * 500,
    "block-mappings": "".join(f"{'  ' * level}k{level}:\n" for level in range(200)),
    "anchors-then-many": "a: &a [1, 2]\nb: [*a, *a]\n" + "c: 1\n" * 2_000,
    "alias-bomb": "a0: &a0 [1]\n"
    + "".join(f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}]\n" for n in range(1, 20)),
    "alias-to-ancestor": "a: &x\n  b:\n    - c: *x\n",
    "undefined-alias": "a: *nothing\n",
    "duplicate-anchor": "a: &x 1\nb: &x 2\n",
    "anchors-per-document": "a: &x 1\n---\nb: *x\n",
    "tags": "a: !!int '7'\nb: !!str 7\nc: !!float 1\nd: !!binary aGk=\ne: !custom x\n",
    "bad-tagged-scalar": "a: !!int abc\n",
    "implicit-types": "a: [yes, no, ~, 1.5, 0x1f, 2024-01-02, '1', \"x\\ty\", .inf]\n",
    "block-scalars": "a: |\n  one\n  two\nb: >-\n  folded\n  text\nc: 'it''s'\n",
    "complex-key": "? [a, b]\n: x\n",
    "merge-key": "x: &d {a: 1}\ny:\n  <<: *d\n",
    "duplicate-key": "a: 1\na: 2\n",
    "empty-and-null-documents": "---\n---\n# c\n--- ~\n--- {a: 1}\n...\n",
    "byte-order-mark": "\ufeffa: 1\nb: [x]\n",
    "syntax-error": "a: [1, b\n",
    "tab": "a: 1\n\tb: 2\n",
    "bad-indent": "a: 1\n  b: 2\n",
    "valid-desired-state": BASE,
}


def outcome(text: str) -> tuple[list[str], list[tuple[object, object, object]]]:
    documents, diagnostics = _yaml.parse_documents("f.yaml", text.encode())
    placed = [
        (d.data, {k: str(v) for k, v in d.values.items()}, {k: str(v) for k, v in d.keys.items()})
        for d in documents
    ]
    return [str(d) for d in diagnostics], placed


def both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    with_libyaml = outcome(text)
    with monkeypatch.context() as patch:
        patch.setattr(_libyaml, "_CParser", None)
        pure_python = outcome(text)
    return with_libyaml, pure_python


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_libyaml_and_pyyaml_give_the_same_values_positions_and_refusals(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_yaml, "MAX_NODES_PER_FILE", NODES)
    with_libyaml, pure_python = both(SHAPES[shape], monkeypatch)
    assert with_libyaml == pure_python


@pytest.mark.parametrize(
    "path", sorted(EXAMPLES.rglob("*.yaml")), ids=lambda p: str(p.relative_to(EXAMPLES))
)
def test_the_examples_compose_alike(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_libyaml, pure_python = both(path.read_text(encoding="utf-8"), monkeypatch)
    assert with_libyaml == pure_python
    assert with_libyaml[1], "the example has documents"


def test_a_limit_crossed_is_refused_at_its_event() -> None:
    with pytest.raises(_libyaml.Excess) as deep:
        list(_libyaml.compose_all("[" * 100, _yaml.yaml.SafeLoader(""), 64, NODES))
    assert (deep.value.limit, deep.value.mark.column) == ("depth", 64)
    with pytest.raises(_libyaml.Excess) as many:
        list(_libyaml.compose_all("[" + "1," * 2_000, _yaml.yaml.SafeLoader(""), 64, NODES))
    assert (many.value.limit, many.value.mark.column) == ("nodes", 2 * NODES - 1)


def test_text_libyaml_rejects_is_left_to_pyyaml_and_its_wording() -> None:
    with pytest.raises(_libyaml.Unavailable):
        list(_libyaml.compose_all("a: [1, b\n", _yaml.yaml.SafeLoader(""), 64, NODES))
    (diagnostic,) = _yaml.parse_documents("f.yaml", b"a: [1, b\n")[1]
    assert str(diagnostic).startswith("f.yaml:2:1: error: invalid YAML: ")


def test_nesting_past_libyaml_s_own_cap_is_still_refused_at_the_65th_level() -> None:
    (diagnostic,) = _yaml.parse_documents("f.yaml", b"[" * 2_000)[1]
    assert str(diagnostic) == "f.yaml:1:65: error: " + _yaml.TOO_DEEP


def test_a_syntax_error_after_many_nodes_is_libyaml_s_to_report_with_its_place() -> None:
    # PyYAML would compose every node again, seconds of work, only to word it its way.
    text = "- 1\n" * (_libyaml.REWORD_UP_TO_NODES + 1) + "- [\n"
    (diagnostic,) = _yaml.parse_documents("f.yaml", text.encode())[1]
    line = _libyaml.REWORD_UP_TO_NODES + 3
    assert (
        str(diagnostic)
        == f"f.yaml:{line}:1: error: invalid YAML: did not find expected node content"
    )
