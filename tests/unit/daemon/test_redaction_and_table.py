"""Log redaction and the status table: pure helpers, tested directly."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime

import structlog

from controller.cli._status import render_table
from controller.daemon import configure_logging, redact_secrets

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcmRlcnMifQ.c2lnbmF0dXJlLWJ5dGVz"


def redacted(**event: object) -> dict[str, object]:
    return dict(redact_secrets(None, "info", dict(event)))


def test_secret_named_fields_are_redacted_whatever_their_value() -> None:
    out = redacted(event="x", client_secret="s3cr3t", registration_access_token="t", password=1)
    assert out == {
        "event": "x",
        "client_secret": "(redacted)",
        "registration_access_token": "(redacted)",
        "password": "(redacted)",
    }


def test_tokens_inside_free_text_are_redacted() -> None:
    out = redacted(
        message=f"Authorization: Bearer abcdefghijkl then {JWT} and client_secret=xyz123"
    )
    assert "abcdefghijkl" not in str(out)
    assert JWT not in str(out)
    assert "xyz123" not in str(out)


def test_camel_case_keys_basic_auth_query_tokens_and_slack_hooks_are_redacted() -> None:
    out = str(
        redacted(
            ClientSecret="camel-s3cr3t",
            message=(
                '{"ClientSecret": "json-s3cr3t"} Authorization: Basic dXNlcjpwYXNz '
                "GET /cb?token=query-s3cr3t&x=1 posting to "
                "https://hooks.slack.com/services/T0001/B0002/hook-s3cr3t"
            ),
        )
    )

    for leaked in ("camel-s3cr3t", "json-s3cr3t", "dXNlcjpwYXNz", "query-s3cr3t", "hook-s3cr3t"):
        assert leaked not in out
    assert "hooks.slack.com/services/(redacted)" in out


def test_values_that_are_not_text_are_scrubbed_as_the_text_they_become() -> None:
    error = ValueError("upstream said client_secret=exc-s3cr3t")

    out = redacted(error=error, items={"client_secret=set-s3cr3t"})

    assert "exc-s3cr3t" not in str(out)
    assert "set-s3cr3t" not in str(out)


def test_a_token_endpoint_in_text_is_not_mistaken_for_a_token() -> None:
    text = "token_endpoint=https://idp.example.com/oauth2/token token_type: Bearer"

    assert redacted(message=text)["message"] == text


def test_a_library_s_traceback_goes_through_the_same_redaction() -> None:
    stream = io.StringIO()
    configure_logging(stream)
    try:
        raise RuntimeError("Authorization: Bearer lib-s3cr3t-token")
    except RuntimeError:
        logging.getLogger("aiohttp.client").exception("request failed")

    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["event"] == "request failed"
    assert "RuntimeError" in line["exception"]
    assert "lib-s3cr3t-token" not in stream.getvalue()


def test_names_ids_and_paths_pass_unchanged() -> None:
    event = {"object": "Service/a", "resource": "idp:client", "paths": ["value.client_secret"]}
    assert redacted(**event) == event


def test_log_lines_are_json_with_the_bound_reconcile_id() -> None:
    stream = io.StringIO()
    configure_logging(stream)
    with structlog.contextvars.bound_contextvars(reconcile_id="r1"):
        structlog.get_logger().info("change", object="Service/a", client_secret="nope")
    line = json.loads(stream.getvalue())
    assert (line["event"], line["reconcile_id"], line["client_secret"]) == (
        "change",
        "r1",
        "(redacted)",
    )


def test_the_table_has_a_row_per_object_and_explains_what_is_not_fine() -> None:
    status = {
        "controller": {
            "id": "default",
            "lastCycle": {"finishedAt": "2026-11-29T12:00:00Z", "objects": 2, "ready": 1},
            "conditions": [],
        },
        "objects": [
            {
                **_object(
                    "orders-api",
                    ("True", "Ready", ""),
                    ("True", "Synced", ""),
                    ("False", "InSync", ""),
                ),
                "rotation": {"phase": "rollout", "waitingFor": "deployment in progress"},
            },
            _object(
                "broken",
                ("False", "ExecutionRoleMissing", "no role"),
                ("False", "X", ""),
                ("False", "InSync", ""),
            ),
        ],
    }
    table = render_table(status, now=datetime(2026, 11, 29, 12, 2, tzinfo=UTC)).splitlines()
    assert table[0] == "controller default: last cycle 2m ago, 1/2 ready"
    assert table[2].split()[:4] == ["Service/orders-api", "True", "True", "False"]
    assert table[3].endswith("ExecutionRoleMissing: no role")
    assert table[1].split()[5] == "ROTATION"
    assert table[2].split()[5] == "rollout"  # the phase of a rotation under way
    assert table[2].endswith("rotation: deployment in progress")


def _object(name: str, *states: tuple[str, str, str]) -> dict[str, object]:
    types = ("Ready", "Synced", "Drifted")
    return {
        "kind": "Service",
        "name": name,
        "conditions": [
            {
                "type": t,
                "status": s,
                "reason": r,
                "message": m,
                "lastTransitionTime": "2026-11-29T12:00:00Z",
            }
            for t, (s, r, m) in zip(types, states, strict=True)
        ],
    }
