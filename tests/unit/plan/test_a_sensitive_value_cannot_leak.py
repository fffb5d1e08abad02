"""A secret wrapped as Sensitive is compared by its value and printed by no one.

The plan diff needs to compare a desired client secret with the stored one; nothing that
renders text (json.dumps, f-strings, structlog's JSON, repr) may ever show it.
"""

from __future__ import annotations

import io
import json

import structlog

from controller.daemon import configure_logging
from controller.plan import Sensitive, diff_documents

SECRET = "s3cr3t-value-0123456789"


def test_json_dumps_shows_only_the_marker() -> None:
    text = json.dumps({"client_secret": Sensitive(SECRET), "list": [Sensitive(SECRET)]})

    assert SECRET not in text
    assert "(sensitive)" in text


def test_string_formatting_and_repr_show_only_the_marker() -> None:
    wrapped = Sensitive(SECRET)

    shown = [f"{wrapped}", f"{wrapped!r}", "%s" % wrapped, str(wrapped), repr(wrapped)]  # noqa: UP031

    assert all(SECRET not in text for text in shown)


def test_a_structlog_line_shows_only_the_marker() -> None:
    stream = io.StringIO()
    configure_logging(stream)

    structlog.get_logger().info("change", value=Sensitive(SECRET))

    assert SECRET not in stream.getvalue()


def test_it_compares_by_the_value_it_holds() -> None:
    assert Sensitive(SECRET) == SECRET
    assert SECRET == Sensitive(SECRET)  # noqa: SIM300  (the reflected comparison, on purpose)
    assert Sensitive(SECRET) != "something else"
    assert Sensitive(SECRET) == Sensitive(SECRET)
    assert Sensitive(SECRET).reveal() == SECRET


def test_a_diff_sees_a_changed_secret_and_prints_neither_value() -> None:
    changes = diff_documents({"client_secret": Sensitive(SECRET)}, {"client_secret": "old-one"})

    assert [c.path for c in changes] == ["client_secret"]
    assert SECRET not in repr(changes)
    assert "old-one" not in repr(changes)
    assert diff_documents({"client_secret": Sensitive(SECRET)}, {"client_secret": SECRET}) == ()
