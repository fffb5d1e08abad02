"""Hostile or broken input ends in a located error: never an exception, a hang or a traceback.

Each case is timed with perf_counter so a failure says how long it ran; no test asserts a
duration (speed is the benchmarks' business).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from controller.desired import DesiredStateError, load
from tests.harness.hostile_yaml import open_brackets, over_four_mib, stacked_alias_chain

from .helpers import Error, errors, write

HEADER = "apiVersion: ecs-oauth.dev/v1alpha1\nkind: Scope\n"


def refused(path: Path, relative_to: Path | None = None) -> list[Error]:
    """`load(path)` must raise DesiredStateError whose every diagnostic is located: at a
    line, or at the file itself when the problem has no place inside it."""
    started = time.perf_counter()
    try:
        found = errors(path, relative_to)
    except BaseException as exc:
        elapsed = time.perf_counter() - started
        raise AssertionError(f"load raised {type(exc).__name__} after {elapsed:.2f}s") from exc
    elapsed = time.perf_counter() - started
    assert found, f"no diagnostics after {elapsed:.2f}s"
    for error in found:
        assert error.line >= 1 or ":" not in error.where, f"{error} (after {elapsed:.2f}s)"
        assert "\n" not in error.message, f"a two-line message: {error.message!r}"
    return found


def the_refusal(path: Path) -> Error:
    found = refused(path)
    assert len(found) == 1, "expected one error, got:\n" + "\n".join(map(str, found))
    return found[0]


# Expansion and depth


def billion_laughs(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_alias_bomb_is_refused_with_a_location(tmp_path: Path) -> None:
    error = the_refusal(write(tmp_path, "bomb.yaml", billion_laughs()))
    assert error.file == "bomb.yaml"
    assert 1 <= error.line <= 9
    assert "more than 100000 nodes (are aliases multiplying it?)" in error.message


def test_many_small_alias_bombs_in_one_file_are_refused_as_one(tmp_path: Path) -> None:
    # Each document stays under a per-document budget; together they would not.
    bomb = billion_laughs(levels=5)  # 9**5 = 59,049 nodes
    error = the_refusal(write(tmp_path, "bombs.yaml", "---\n".join([bomb] * 20)))
    assert error.file == "bombs.yaml"
    assert "more than 100000 nodes" in error.message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: &x [*x]\n", "loop.yaml:1:4"),
        ("a: &x {b: *x}\n", "loop.yaml:1:4"),
        ("a: &x\n  b:\n    - c: *x\n", "loop.yaml:1:4"),
    ],
    ids=["sequence", "mapping", "deeper"],
)
def test_an_alias_to_its_own_ancestor_is_refused_with_a_location(
    tmp_path: Path, text: str, where: str
) -> None:
    error = the_refusal(write(tmp_path, "loop.yaml", text))
    assert error.where == where
    assert "refers to itself" in error.message


def test_ten_thousand_open_brackets_are_refused_at_the_first_too_deep(tmp_path: Path) -> None:
    error = the_refusal(write(tmp_path, "deep.yaml", "[" * 10_000))
    assert error.where == "deep.yaml:1:65"
    assert error.message == "nesting deeper than 64 levels; flatten the document"


def test_aliases_stacking_nesting_past_the_limit_are_refused_not_a_recursion_error(
    tmp_path: Path,
) -> None:
    # Each block is 61 levels as written, under the limit; expanded, 1,400 levels.
    error = the_refusal(write(tmp_path, "chain.yaml", stacked_alias_chain()))
    assert error.where == "chain.yaml:2:12"  # inside b1, where the alias in b2 leads
    assert error.message == (
        "nesting deeper than 64 levels once aliases are expanded; flatten the document"
    )


def test_a_hundred_thousand_open_brackets_are_refused_at_the_first_too_deep(
    tmp_path: Path,
) -> None:
    error = the_refusal(write(tmp_path, "deep.yaml", open_brackets(100_000)))
    assert error.where == "deep.yaml:1:65"


def test_a_file_over_the_limit_is_refused_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "huge.yaml", over_four_mib())
    monkeypatch.setattr(Path, "read_bytes", _never_read_whole)
    error = the_refusal(path)
    assert error.where == "huge.yaml"
    assert error.message == "file is larger than 4 MiB; split it"


def _never_read_whole(self: Path) -> bytes:
    raise AssertionError(f"{self} was read whole")


def test_ten_thousand_nested_flow_mappings_are_refused(tmp_path: Path) -> None:
    error = the_refusal(write(tmp_path, "deep.yaml", "{a: " * 10_000 + "1" + "}" * 10_000))
    assert error.line == 1
    assert error.message == "nesting deeper than 64 levels; flatten the document"


def test_a_deeply_indented_block_mapping_is_refused_at_the_line_too_deep(tmp_path: Path) -> None:
    text = "".join(f"{'  ' * level}k{level}:\n" for level in range(1000))
    error = the_refusal(write(tmp_path, "deep.yaml", text))
    # The mapping is depth 1 and k0 depth 2, so k63, on line 64, is the 65th level.
    assert error.where == "deep.yaml:64:127"
    assert "nesting deeper than 64 levels" in error.message


# Size and encoding


def test_a_five_mib_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    line = b"# " + b"x" * 1021 + b"\n"
    error = the_refusal(write(tmp_path, "huge.yaml", line * 5 * 1024))
    assert error.where == "huge.yaml"
    assert error.message == "file is larger than 4 MiB; split it"


def test_bytes_that_are_not_utf8_are_refused_at_their_line_and_column(tmp_path: Path) -> None:
    raw = HEADER.encode() + b"metadata: {name: caf\xe9}\nspec: {provider: corp}\n"
    error = the_refusal(write(tmp_path, "latin1.yaml", raw))
    assert error.where == "latin1.yaml:3:21"
    assert error.message == "file is not valid UTF-8; save it as UTF-8"


def test_a_utf16_file_is_refused_as_not_utf8(tmp_path: Path) -> None:
    raw = (HEADER + "metadata: {name: x}\n").encode("utf-16")
    error = the_refusal(write(tmp_path, "wide.yaml", raw))
    assert error.where == "wide.yaml:1:1"
    assert "not valid UTF-8" in error.message


@pytest.mark.parametrize(("char", "column"), [("\x00", 5), ("\x07", 5), ("\x1b", 5), ("\ufffe", 5)])
def test_a_control_character_is_refused_on_one_line_at_its_position(
    tmp_path: Path, char: str, column: int
) -> None:
    raw = (HEADER + f"meta{char}data: {{name: x}}\n").encode("utf-8")
    error = the_refusal(write(tmp_path, "control.yaml", raw))
    assert error.where == f"control.yaml:3:{column}"
    assert error.message.startswith("invalid YAML: ")


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbf" + b"apiVersion: ecs-oauth.dev/v1alpha1\nkind: Thing\n"
    error = the_refusal(write(tmp_path, "bom.yaml", raw))
    assert error.where == "bom.yaml:2:7"
    assert error.message.startswith("unknown kind 'Thing'")


# Documents that are not objects, and nothing at all


def test_a_document_that_is_a_list_is_refused_at_its_start(tmp_path: Path) -> None:
    error = the_refusal(write(tmp_path, "list.yaml", "# objects\n- kind: Scope\n- kind: Role\n"))
    assert error.where == "list.yaml:2:1"
    assert error.message == (
        "a desired-state document must be a mapping with apiVersion and kind, not a list"
    )


def test_a_document_that_is_a_scalar_is_refused_at_its_start(tmp_path: Path) -> None:
    text = HEADER + "metadata: {name: x}\nspec: {provider: corp}\n---\njust some words\n"
    found = refused(write(tmp_path, "scalar.yaml", text))
    scalar = [e for e in found if "not a str" in e.message]
    assert [e.where for e in scalar] == ["scalar.yaml:6:1"]


def test_a_missing_path_is_refused_at_that_path(tmp_path: Path) -> None:
    error = the_refusal(tmp_path / "nowhere")
    assert error.where == "nowhere"
    assert error.message == "no such file or folder"


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "desired").mkdir()
    write(tmp_path / "desired", "README.md", "not yaml\n")
    found = refused(tmp_path / "desired", relative_to=tmp_path)
    assert [(e.where, e.message) for e in found] == [
        ("desired", "no *.yaml or *.yml files in this folder")
    ]


def test_a_folder_of_only_empty_documents_is_refused_as_an_empty_state(tmp_path: Path) -> None:
    folder = tmp_path / "desired"
    write(folder, "empty.yaml", "")
    write(folder, "comments.yml", "# nothing here yet\n")
    write(folder, "sub/separators.yaml", "---\n---\n...\n")
    write(folder, "sub/null.yaml", "--- null\n--- ~\n")
    found = refused(folder, relative_to=tmp_path)
    assert [(e.where, e.message) for e in found] == [
        ("desired", "the desired state is empty; an empty state changes nothing")
    ]


# YAML that is invalid, or valid but not accepted


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            "apiVersion: ecs-oauth.dev/v1alpha1\n\tkind: Scope\n",
            "broken.yaml:2:1",
            "invalid YAML: a tab character here; YAML does not allow tabs for indentation; "
            "use spaces",
        ),
        (HEADER + "metadata: {name: [x, y}\n", "broken.yaml:3:23", "invalid YAML: "),
        (
            HEADER + "metadata: {name: 'x}\n",
            "broken.yaml:3:18",
            "invalid YAML: this quoted value is never closed; add the closing quote",
        ),
        (
            HEADER + "metadata: *nothing\n",
            "broken.yaml:3:11",
            "invalid YAML: *nothing refers to no anchor; define &nothing on a value before it",
        ),
        (HEADER + "  metadata: x\n", "broken.yaml:3:11", "invalid YAML: "),
    ],
    ids=["tab", "bracket", "quote", "alias", "indent"],
)
def test_invalid_yaml_is_refused_at_the_problem(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    error = the_refusal(write(tmp_path, "broken.yaml", text))
    assert error.where == where
    assert error.message.startswith(message)


def test_a_duplicate_mapping_key_is_refused_at_the_second_key(tmp_path: Path) -> None:
    text = HEADER + "metadata: {name: a}\nspec:\n  provider: corp\n  provider: partners\n"
    error = the_refusal(write(tmp_path, "dup.yaml", text))
    assert error.where == "dup.yaml:6:3"
    assert error.message == "duplicate key 'provider'"


def test_a_merge_key_is_refused_at_the_merge(tmp_path: Path) -> None:
    text = "x: &defaults {provider: corp}\n" + HEADER + "spec:\n  <<: *defaults\n"
    error = the_refusal(write(tmp_path, "merge.yaml", text))
    assert error.where == "merge.yaml:5:3"
    assert error.message == "merge keys ('<<') are not supported"


@pytest.mark.parametrize(
    ("key", "shown"),
    [("1", "1"), ("null", "None"), ("true", "True"), ("2024-01-01", "datetime.date(2024, 1, 1)")],
)
def test_a_mapping_key_that_is_not_a_string_is_refused_at_the_key(
    tmp_path: Path, key: str, shown: str
) -> None:
    text = HEADER + f"metadata:\n  {key}: x\n"
    error = the_refusal(write(tmp_path, "keys.yaml", text))
    assert error.where == "keys.yaml:4:3"
    assert error.message == f"mapping keys must be strings, not {shown}"


def test_a_complex_mapping_key_is_refused_at_the_key(tmp_path: Path) -> None:
    error = the_refusal(write(tmp_path, "keys.yaml", HEADER + "? [a, b]\n: x\n"))
    assert error.where == "keys.yaml:3:3"
    assert error.message.startswith("mapping keys must be strings")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int abc", "'abc' is not a valid int"),
        ("!!float abc", "'abc' is not a valid float"),
        ("!!bool maybe", "'maybe' is not a valid bool"),
        ("!!timestamp yesterday", "'yesterday' is not a valid timestamp"),
        ("2001-13-45", "'2001-13-45' is not a valid timestamp"),
        ("1" * 5000, f"{'1' * 40!r}... is not a valid int"),
        ("!!binary 'QQ'", "invalid YAML: failed to decode base64 data"),
    ],
    ids=["int", "float", "bool", "timestamp", "month-13", "5000-digits", "binary"],
)
def test_a_scalar_its_tag_cannot_read_is_refused_at_the_scalar(
    tmp_path: Path, value: str, message: str
) -> None:
    text = HEADER + f"metadata: {{name: x}}\nspec: {{provider: {value}}}\n"
    error = the_refusal(write(tmp_path, "scalar.yaml", text))
    assert error.where == "scalar.yaml:4:18"
    assert error.message.startswith(message)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!python/object/apply:os.system ['touch pwned']", "unsupported tag"),
        ("!!python/name:os.system ''", "could not determine a constructor"),
        ("!custom x", "could not determine a constructor"),
        ("!Sub {a: b}", "unsupported tag '!Sub'"),
    ],
)
def test_a_tag_that_constructs_objects_is_refused_and_never_runs(
    tmp_path: Path, value: str, message: str
) -> None:
    text = HEADER + f"metadata: {{name: x}}\nspec: {{provider: {value}}}\n"
    error = the_refusal(write(tmp_path, "tags.yaml", text))
    assert error.where == "tags.yaml:4:18"
    assert message in error.message
    assert not (tmp_path / "pwned").exists()
    assert not Path("pwned").exists()


def test_one_hostile_file_does_not_hide_the_errors_of_another(tmp_path: Path) -> None:
    write(tmp_path, "a-bomb.yaml", billion_laughs())
    write(tmp_path, "b-scope.yaml", HEADER + "metadata: {name: x}\nspec: {provider: nobody}\n")
    found = refused(tmp_path)
    assert [e.file for e in found] == ["a-bomb.yaml", "b-scope.yaml"]
    assert found[1].message == "IdentityProvider 'nobody' is not defined"


def test_load_raises_nothing_but_desired_state_error_for_a_directory_named_like_yaml(
    tmp_path: Path,
) -> None:
    (tmp_path / "looks-like.yaml").mkdir()
    with pytest.raises(DesiredStateError, match=r"no \*\.yaml or \*\.yml files"):
        load(tmp_path)


def test_a_label_key_holding_a_newline_is_reported_on_one_line(tmp_path: Path) -> None:
    text = HEADER + 'metadata: {name: x, labels: {"team\\nname": payments}}\nspec: {provider: p}\n'
    error = the_refusal(write(tmp_path, "labels.yaml", text))
    assert error.where == "labels.yaml:3:44"
    assert error.message.startswith("metadata.labels.'team\\nname'")
