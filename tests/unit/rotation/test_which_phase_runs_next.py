"""Which phase a rotation runs next, judged from the service secret alone.

The phase tag is written after a phase took effect, so a crash can leave it one phase
behind; the version stages say where it really is.
"""

from __future__ import annotations

import pytest

from controller.engine._rotation_plan import (
    PHASES,
    Observed,
    Phase,
    next_phase,
    parse_phase,
    resume_phase,
    rotation_token,
)

TOKEN = "pending-version"
OLD = "old-version"


def seen(phase: Phase | None, *, current: str = OLD, pending: str | None = None) -> Observed:
    return Observed(phase=phase, token=TOKEN, current=current, pending=pending)


def test_without_a_phase_tag_no_rotation_is_under_way() -> None:
    assert resume_phase(seen(None, pending=TOKEN)) is None


def test_a_phase_tag_without_a_start_time_is_no_rotation() -> None:
    assert resume_phase(Observed("set", None, OLD, TOKEN)) is None


def test_create_runs_while_the_pending_version_is_missing() -> None:
    assert resume_phase(seen("create")) == "create"


def test_create_runs_again_when_the_pending_version_is_someone_elses() -> None:
    assert resume_phase(seen("create", pending="stale-version")) == "create"


def test_a_create_tag_with_this_rotations_pending_version_moves_on_to_set() -> None:
    assert resume_phase(seen("create", pending=TOKEN)) == "set"


@pytest.mark.parametrize("phase", ["set", "test", "finish"])
def test_set_test_and_finish_rerun_while_the_pending_version_waits(phase: Phase) -> None:
    assert resume_phase(seen(phase, pending=TOKEN)) == phase


@pytest.mark.parametrize("phase", ["set", "test"])
def test_a_lost_pending_version_sends_the_rotation_back_to_create(phase: Phase) -> None:
    assert resume_phase(seen(phase)) == "create"


@pytest.mark.parametrize("phase", ["create", "set", "test", "finish"])
def test_a_pending_version_already_current_means_finish_took_effect(phase: Phase) -> None:
    assert resume_phase(seen(phase, current=TOKEN, pending=TOKEN)) == "finish"
    assert resume_phase(seen(phase, current=TOKEN)) == "finish"


@pytest.mark.parametrize("phase", ["rollout", "revoke"])
def test_rollout_and_revoke_follow_the_tag_alone(phase: Phase) -> None:
    assert resume_phase(seen(phase, current=TOKEN)) == phase


def test_the_phases_run_in_the_secrets_manager_order_then_rollout_and_revoke() -> None:
    order = [PHASES[0]]
    while (following := next_phase(order[-1])) is not None:
        order.append(following)

    assert order == ["create", "set", "test", "finish", "rollout", "revoke"]


def test_an_unknown_phase_tag_reads_as_none() -> None:
    assert parse_phase("rolling") is None
    assert parse_phase(None) is None


def test_every_resume_of_one_rotation_derives_the_same_pending_token() -> None:
    first = rotation_token("arn:secret", "2026-01-01T00:00:00.000000Z")

    assert first == rotation_token("arn:secret", "2026-01-01T00:00:00.000000Z")
    assert first != rotation_token("arn:secret", "2026-01-01T00:00:00.000001Z")
    assert first != rotation_token("arn:other", "2026-01-01T00:00:00.000000Z")
    assert 32 <= len(first) <= 64  # Secrets Manager's ClientRequestToken bounds
