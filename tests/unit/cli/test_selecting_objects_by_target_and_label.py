"""``--target KIND/NAME`` and ``-l`` selectors: how they read, what they match, and what a
selection brings in for plan and apply (what the picked objects depend on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.cli._select import (
    Selector,
    SelectorError,
    parse_requirement,
    parse_selector,
    parse_target,
    select,
)
from controller.desired import DesiredState, load

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="module")
def examples() -> DesiredState:
    return load(EXAMPLES)


class TestReading:
    def test_a_kind_is_read_in_any_case(self) -> None:
        assert parse_target("service/orders-api") == "Service/orders-api"
        assert parse_target("IDENTITYPROVIDER/corp") == "IdentityProvider/corp"

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            ("orders-api", "expected KIND/NAME, e.g. Service/orders-api"),
            ("Service/", "expected KIND/NAME"),
            ("Srvice/orders-api", "unknown kind 'Srvice'; one of IdentityProvider, Scope, Role"),
        ],
    )
    def test_a_bad_target_says_what_is_expected(self, text: str, says: str) -> None:
        with pytest.raises(SelectorError, match=says):
            parse_target(text)

    @pytest.mark.parametrize(
        ("text", "shown"),
        [
            ("team=payments", "team=payments"),
            ("team==payments", "team=payments"),
            ("team!=payments", "team!=payments"),
            ("team", "team"),
            ("!team", "!team"),
            (" example.com/tier = gold ", "example.com/tier=gold"),
        ],
    )
    def test_requirements_read_as_kubectl_reads_them(self, text: str, shown: str) -> None:
        assert str(parse_requirement(text)) == shown

    def test_commas_and_repeated_flags_all_must_hold(self) -> None:
        selector = parse_selector([], ["team=payments,tier", "!legacy"])

        assert [str(r) for r in selector.labels] == ["team=payments", "tier", "!legacy"]

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            ("team=pay ments", "is not a label value"),
            ("te am=x", "is not a label key"),
            ("", "needs a selector"),
        ],
    )
    def test_a_bad_selector_says_why(self, text: str, says: str) -> None:
        with pytest.raises(SelectorError, match=says):
            parse_selector([], [text])


LABELS = {"team": "payments", "tier": "gold"}


class TestMatching:
    @pytest.mark.parametrize(
        ("labels", "matches"),
        [
            (["team=payments"], True),
            (["team=inventory"], False),
            (["team!=inventory"], True),
            (["owner!=x"], True),  # absent is not equal
            (["tier"], True),
            (["!tier"], False),
            (["team=payments", "tier=silver"], False),
        ],
    )
    def test_labels(self, labels: list[str], matches: bool) -> None:
        selector = parse_selector([], labels)

        assert selector.matches("Service/a", LABELS) is matches

    def test_targets_are_ored_and_anded_with_labels(self) -> None:
        selector = parse_selector(["Service/a", "Service/b"], ["team=payments"])

        assert selector.matches("Service/b", LABELS)
        assert not selector.matches("Service/c", LABELS)
        assert not selector.matches("Service/a", {"team": "inventory"})

    def test_no_selector_matches_everything(self) -> None:
        assert Selector().empty
        assert Selector().matches("Role/x", {})


class TestSelection:
    def test_a_service_brings_its_role_scopes_and_provider(self, examples: DesiredState) -> None:
        selection = select(examples, parse_selector(["Service/orders-api"], []))

        assert selection.keys == {
            "Service/orders-api",
            "Role/orders-reader",
            "Scope/orders.read",
            "IdentityProvider/corp",
        }
        assert selection.undeclared == frozenset()

    def test_a_label_picks_every_object_carrying_it(self, examples: DesiredState) -> None:
        selection = select(examples, parse_selector([], ["team=inventory"]))

        assert {"Role/stock-keeper", "Service/stock-sync"} <= selection.keys
        assert "Service/orders-api" not in selection.keys

    def test_an_undeclared_target_is_kept_for_its_orphans(self, examples: DesiredState) -> None:
        selection = select(examples, parse_selector(["Service/retired"], []))

        assert (selection.keys, selection.undeclared) == (frozenset(), {"Service/retired"})

    def test_a_selector_that_picks_nothing_is_an_error(self, examples: DesiredState) -> None:
        with pytest.raises(SelectorError, match="-l team=nobody matches no object"):
            select(examples, parse_selector([], ["team=nobody"]))
