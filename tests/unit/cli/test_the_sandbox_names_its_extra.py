"""Without the ``sandbox`` extra (a production install) ``ecs-oauth sandbox`` says in one
line what is missing and what to install, before it starts anything."""

from __future__ import annotations

import sys

import pytest

from controller.cli import main


def forget(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    """As if ``missing`` were not installed: ``None`` in ``sys.modules`` reads as absent."""
    monkeypatch.setitem(sys.modules, missing, None)


@pytest.mark.parametrize("missing", ["moto", "werkzeug", "authlib"])
def test_a_missing_sandbox_package_is_answered_with_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], missing: str
) -> None:
    forget(monkeypatch, missing)

    code = main(["sandbox", "--port", "0"])

    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert f"({missing} missing)" in err
    assert 'pip install "ecs-oauth[sandbox]"' in err
