"""The controller's own writes are not drift worth an event: its principal, learned from
GetCallerIdentity, is compared by role (any session) or by exact ARN."""

from __future__ import annotations

import pytest

from controller.events import ManagedIndex, decide, is_own
from tests.harness.cloudtrail import ACCOUNT, ALICE, CONTROLLER_ROLE, CONTROLLER_SESSION, body

OWN_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-oauth-controller/another-task"


@pytest.mark.parametrize(
    ("actor", "own"),
    [
        (CONTROLLER_SESSION, OWN_SESSION),  # another session (task, replica) of our role
        (CONTROLLER_ROLE, OWN_SESSION),  # the role itself, with its path
        (f"arn:aws:iam::{ACCOUNT}:user/moto", f"arn:aws:iam::{ACCOUNT}:user/moto"),
    ],
)
def test_our_own_principal_is_recognised(actor: str, own: str) -> None:
    assert is_own(actor, own)


@pytest.mark.parametrize(
    ("actor", "own"),
    [
        (ALICE, OWN_SESSION),
        ("arn:aws:sts::999999999999:assumed-role/ecs-oauth-controller/x", OWN_SESSION),
        (f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:user/moto"),
        (None, OWN_SESSION),
        (ALICE, None),
    ],
)
def test_anyone_else_is_not_us(actor: str | None, own: str | None) -> None:
    assert not is_own(actor, own)


def test_an_event_of_our_own_write_is_skipped() -> None:
    message = body(
        "ecs.amazonaws.com", "RegisterTaskDefinition", {"family": "x"}, actor=CONTROLLER_SESSION
    )
    assert decide(message, ManagedIndex(), OWN_SESSION).outcome == "own-write"
