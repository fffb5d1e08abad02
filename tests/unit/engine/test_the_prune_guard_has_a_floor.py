"""The prune guard: at most prune.maxFraction of what is managed, past an absolute floor, so
that one object removed from a small tree is pruned without --force."""

from __future__ import annotations

from controller.engine._prune import prune_refusal


def test_one_removal_in_a_small_tree_is_under_the_floor() -> None:
    assert prune_refusal(1, 5, 0.1, 1, force=False) is None


def test_past_the_floor_the_fraction_decides() -> None:
    assert prune_refusal(3, 100, 0.1, 1, force=False) is None
    refusal = prune_refusal(2, 5, 0.1, 1, force=False)

    assert refusal is not None
    assert refusal.startswith("would delete the resources of 2 of 5 managed objects (40%)")
    assert "prune.maxFraction 10% and prune.minCount 1" in refusal
    assert refusal.endswith("nothing deleted (use --force if this is intended)")


def test_a_floor_of_zero_leaves_the_fraction_alone() -> None:
    assert prune_refusal(1, 5, 0.1, 0, force=False) is not None


def test_force_overrides_both() -> None:
    assert prune_refusal(5, 5, 0.1, 1, force=True) is None
