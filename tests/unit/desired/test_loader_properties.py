"""Whatever bytes a file holds, `load` returns a DesiredState or raises DesiredStateError
whose every diagnostic points into that file on one line; nothing else ever escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.desired import DesiredState, DesiredStateError, load

from .helpers import BASE, EXAMPLES, yaml_text

ALL_EXAMPLES = "---\n".join(
    path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.rglob("*.yaml"))
)
SEEDS = [ALL_EXAMPLES, yaml_text(BASE)]

PIECES = [
    "apiVersion: ecs-oauth.dev/v1alpha1\n",
    "kind: IdentityProvider\n",
    "kind: Scope\n",
    "kind: Role\n",
    "kind: Service\n",
    "metadata: {name: orders-api}\n",
    "spec:\n",
    "  scopes: [orders.read]\n",
    "  tokenLifetime: ",
    "15m",
    "99999999999999999999d",
    "---\n",
    "...\n",
    "- ",
    ": ",
    "? ",
    "{",
    "}",
    "[",
    "]",
    ", ",
    "&a ",
    "*a",
    "*b",
    "<<: ",
    "!!int ",
    "!!float ",
    "!!bool ",
    "!!timestamp ",
    "!!binary ",
    "!!set ",
    "!!python/object/apply:os.system ",
    "!custom ",
    '"',
    "'",
    "\\",
    "|\n",
    ">-\n",
    "# comment\n",
    "%YAML 1.1\n",
    "%TAG ! tag:example.com,2000:\n",
    "\t",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "\x00",
    "\x07",
    "\ufeff",
    "\u2028",
    "\x85",
    "\udcff",  # a lone surrogate: encodes to bytes that are not UTF-8
    "é",
    "😀",
    "*",
    "2001-13-45",
    "1e999",
    "0x",
    "null",
    "~",
    "yes",
    "http://idp.example.com",
]

yamlish = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=60).map(
    "".join
)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


@st.composite
def mutated_examples(draw: st.DrawFn) -> str:
    """A valid desired state with a few lines deleted, duplicated or swapped, characters
    changed or inserted, or its tail cut off."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        lines = _lines(text)
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        at = draw(st.integers(min_value=0, max_value=max(len(text) - 1, 0)))
        operation = draw(
            st.sampled_from(["delete", "duplicate", "swap", "change", "insert", "truncate"])
        )
        if operation == "delete":
            del lines[i]
        elif operation == "duplicate":
            lines.insert(j, lines[i])
        elif operation == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        if operation in ("delete", "duplicate", "swap"):
            text = "".join(lines)
        elif operation == "change":
            text = text[:at] + draw(st.sampled_from(PIECES) | st.characters()) + text[at + 1 :]
        elif operation == "insert":
            text = text[:at] + draw(st.sampled_from(PIECES) | st.characters()) + text[at:]
        else:
            text = text[:at]
    return text


@pytest.fixture(scope="module")
def desired_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties") / "desired.yaml"


def assert_loads_or_locates(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    try:
        state = load(path)
    except DesiredStateError as exc:
        diagnostics = exc.diagnostics
    else:
        assert isinstance(state, DesiredState)
        assert state.object_count >= 1
        return
    assert diagnostics, "a DesiredStateError with no diagnostics"
    for diagnostic in diagnostics:
        assert diagnostic.location.file == str(path), diagnostic
        assert "\n" not in diagnostic.message, diagnostic
        if diagnostic.location.line == 0:  # the file as a whole: no made-up position
            assert diagnostic.location.column == 0, diagnostic
            assert str(diagnostic).startswith(f"{path}: error: ")
            continue
        assert diagnostic.location.column >= 1, diagnostic
        assert str(diagnostic).startswith(f"{path}:{diagnostic.location.line}:")


@given(text=yamlish)
@settings(max_examples=200, deadline=None)
def test_random_yamlish_text_loads_or_fails_with_located_errors(
    desired_file: Path, text: str
) -> None:
    assert_loads_or_locates(desired_file, text)


@given(text=mutated_examples())
@settings(max_examples=200, deadline=None)
def test_mutated_examples_load_or_fail_with_located_errors(desired_file: Path, text: str) -> None:
    assert_loads_or_locates(desired_file, text)


@pytest.mark.parametrize("seed", range(len(SEEDS)))
def test_the_unmutated_seeds_are_valid(desired_file: Path, seed: int) -> None:
    desired_file.write_text(SEEDS[seed], encoding="utf-8")
    assert load(desired_file).object_count > 0
