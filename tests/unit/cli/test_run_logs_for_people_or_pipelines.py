"""``ecs-oauth run`` logs console lines to a person at a terminal and JSON lines to
everything else; both go through the same redaction."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import pytest
import structlog

from controller.cli._run import console_logs
from controller.daemon import configure_logging


@pytest.mark.parametrize(
    ("log_format", "tty", "console"),
    [
        ("auto", True, True),
        ("auto", False, False),
        ("json", True, False),
        ("console", False, True),
    ],
)
def test_the_format_follows_the_terminal_unless_asked(
    log_format: str, tty: bool, console: bool
) -> None:
    assert console_logs(log_format, tty) is console


def test_console_lines_are_readable_and_redacted() -> None:
    stream = io.StringIO()
    configure_logging(stream, console=True)

    structlog.get_logger().info(
        "change",
        object="Service/orders-api",
        resource="secretsmanager:secret",
        note="token=abcdefgh",
    )

    line = stream.getvalue()
    assert not line.startswith("{")
    assert "change" in line
    assert "object=Service/orders-api" in line
    assert "resource=secretsmanager:secret" in line
    assert "abcdefgh" not in line
    assert "\033[" not in line  # no colour unless asked


def test_json_lines_stay_the_default() -> None:
    stream = io.StringIO()
    configure_logging(stream)

    structlog.get_logger().info("change", object="Service/orders-api")

    assert json.loads(stream.getvalue())["object"] == "Service/orders-api"


def test_a_tap_sees_every_event_after_redaction() -> None:
    seen: list[Mapping[str, Any]] = []
    configure_logging(io.StringIO(), tap=seen.append)

    structlog.get_logger().info("change", object="Service/x", client_secret="s3cr3t")

    assert seen[0]["event"] == "change"
    assert seen[0]["client_secret"] == "(redacted)"


def test_a_resource_kind_is_not_mistaken_for_a_secret() -> None:
    seen: list[Mapping[str, Any]] = []
    configure_logging(io.StringIO(), tap=seen.append)

    structlog.get_logger().info("change", resource="secretsmanager:secret")

    assert seen[0]["resource"] == "secretsmanager:secret"
