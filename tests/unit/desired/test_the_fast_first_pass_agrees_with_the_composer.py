"""The LibYAML first pass refuses at exactly the place the bounded pure-Python composer
would: same line, same column, same message, for every shape of nesting and size.

The node limit is lowered for these comparisons so that the pure-Python side, which is
what makes the first pass worth having, stays quick.
"""

from __future__ import annotations

import pytest

from controller.desired import _prescan, _yaml

NODES = 1_000
SHAPES = {
    "flow-list": "[" + "1," * 3_000 + "1]",
    "flow-list-over-lines": "[\n" + "1,\n" * 3_000 + "1]",
    "block-list": "- 1\n" * 3_000,
    "mapping-keys": "".join(f"k{i}: {i}\n" for i in range(3_000)),
    "many-documents": "---\na: [1, 2]\n" * 1_000,
    "non-ascii": "- é\n- ü\n" * 1_000,
    "open-brackets-over-lines": "[\n" * 500,
    "block-dashes": "- " * 500,
    "indented-dashes": "".join("  " * i + "-\n" for i in range(200)),
    "flow-mappings": "{a: " * 500,
    "block-mappings": "".join(f"{'  ' * level}k{level}:\n" for level in range(200)),
    "under-both-limits": "a: [1, {b: c}]\n---\n- x\n",
    "anchors-and-aliases": "a: &a [1, 2]\nb: [*a, *a]\n" + "c: 1\n" * 2_000,
}


def refusals(text: str) -> list[str]:
    return [str(d) for d in _yaml.parse_documents("f.yaml", text.encode())[1]]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_first_pass_refuses_where_the_composer_would(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_yaml, "MAX_NODES_PER_FILE", NODES)
    with_first_pass = refusals(SHAPES[shape])
    monkeypatch.setattr(_prescan, "_CParser", None)
    composer_alone = refusals(SHAPES[shape])
    assert with_first_pass == composer_alone
    assert bool(with_first_pass) == (shape != "under-both-limits"), with_first_pass


@pytest.mark.parametrize(
    ("text", "limit"),
    [("[" * 100, "depth"), ("[" + "1," * 2_000 + "1]", "nodes"), ("a: [1]\n", None)],
)
def test_the_first_pass_names_the_limit_crossed(text: str, limit: str | None) -> None:
    excess = _prescan.first_excess(text, max_depth=64, max_nodes=NODES)
    assert (excess and excess.limit) == limit


def test_the_first_pass_leaves_syntax_errors_to_the_composer_and_its_wording() -> None:
    assert _prescan.first_excess("a: [1, b\n", max_depth=64, max_nodes=NODES) is None
    (diagnostic,) = _yaml.parse_documents("f.yaml", b"a: [1, b\n")[1]
    assert str(diagnostic).startswith("f.yaml:2:1: error: invalid YAML: ")


def test_nesting_past_libyaml_s_own_cap_is_still_refused_at_the_65th_level() -> None:
    # LibYAML gives up at 1,000 levels before it reaches our limit's event; the composer
    # then finds the place.
    assert _prescan.first_excess("[" * 2_000, max_depth=64, max_nodes=NODES) is None
    (diagnostic,) = _yaml.parse_documents("f.yaml", b"[" * 2_000)[1]
    assert str(diagnostic) == "f.yaml:1:65: error: " + _yaml.TOO_DEEP
