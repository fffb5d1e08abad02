"""The daemon's view of the desired-state files: the last valid state survives bad edits."""

from __future__ import annotations

from pathlib import Path

from controller.config import Settings
from controller.sources._folder import DesiredSource

PROVIDER = """\
apiVersion: ecs-oauth.dev/v1alpha1
kind: IdentityProvider
metadata: {name: corp}
spec:
  oidc: {issuer: https://idp.example.com, initialAccessToken: {fromEnv: TOKEN}}
"""


def test_a_valid_folder_is_taken_and_reading_it_again_is_no_change(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(PROVIDER)
    source = DesiredSource(tmp_path, Settings())
    assert source.reload() is True
    assert source.state is not None
    assert list(source.state.providers) == ["corp"]
    assert source.reload() is False  # same objects: nothing to do


def test_an_invalid_edit_keeps_the_last_valid_state_and_says_where(tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text(PROVIDER)
    source = DesiredSource(tmp_path, Settings())
    source.reload()
    kept = source.state
    file.write_text(PROVIDER.replace("https://idp", "http://idp"))
    assert source.reload() is False
    assert source.state is kept
    assert source.errors[0].startswith(f"{file}:5:")


def test_an_emptied_folder_changes_nothing_and_says_why(tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text(PROVIDER)
    source = DesiredSource(tmp_path, Settings())
    source.reload()
    file.unlink()
    assert source.reload() is False
    assert source.state is not None
    assert "no *.yaml or *.yml files" in source.errors[0]


def test_a_fixed_file_is_taken_again_and_clears_the_errors(tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text("kind: [")
    source = DesiredSource(tmp_path, Settings())
    assert source.reload() is False
    assert source.state is None
    file.write_text(PROVIDER)
    assert source.reload() is True
    assert source.errors == []
