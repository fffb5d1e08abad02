"""Secrets Manager staging labels as AWS moves them, where moto (5.x) does not.

moto keeps the AWSCURRENT version in a field of its own, which UpdateSecretVersionStage
does not update. Once AWSCURRENT was moved by a stage update (the finish step of every
rotation), the next PutSecretValue marks the wrong version AWSPREVIOUS and leaves two
versions holding AWSCURRENT, and a GetSecretValue without a stage returns the old value.
moto also replaces every label of the version losing AWSCURRENT with AWSPREVIOUS, where
AWS moves only AWSCURRENT and AWSPREVIOUS and leaves other labels (AWSPENDING, custom
ones) where they are. The two methods below follow AWS.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.secretsmanager.models import FakeSecret, SecretsManagerBackend

CURRENT = "AWSCURRENT"
PREVIOUS = "AWSPREVIOUS"

_lock = threading.Lock()
_installed = False


def _reset_default_version(self: Any, secret_version: dict[str, Any], version_id: str) -> None:
    """A new AWSCURRENT version: whichever version held AWSCURRENT becomes AWSPREVIOUS."""
    for version in self.versions.values():
        stages = version["version_stages"]
        if PREVIOUS in stages:
            stages.remove(PREVIOUS)
    for version in self.versions.values():
        stages = version["version_stages"]
        if CURRENT in stages:
            stages.remove(CURRENT)
            stages.append(PREVIOUS)
    self.versions[version_id] = secret_version
    self.default_version_id = version_id


def _following_current(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap UpdateSecretVersionStage so moto's AWSCURRENT field follows the label."""

    def update_secret_version_stage(
        self: Any,
        secret_id: str,
        version_stage: str,
        remove_from_version_id: str,
        move_to_version_id: str,
    ) -> Any:
        result = original(
            self, secret_id, version_stage, remove_from_version_id, move_to_version_id
        )
        if version_stage == CURRENT and move_to_version_id:
            self.secrets[secret_id].set_default_version_id(move_to_version_id)
        return result

    return update_secret_version_stage


def install() -> None:
    """Patch moto's Secrets Manager classes, once per process, before serving."""
    global _installed
    with _lock:
        if _installed:
            return
        secret: Any = FakeSecret
        secret.reset_default_version = _reset_default_version
        backend: Any = SecretsManagerBackend
        backend.update_secret_version_stage = _following_current(
            SecretsManagerBackend.update_secret_version_stage
        )
        _installed = True
