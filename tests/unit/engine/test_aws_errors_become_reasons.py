"""AWS error codes an operator can act on become the problem's CamelCase reason; the rest
are reported as AwsError with AWS's code in the message."""

from __future__ import annotations

import pytest

from controller.engine import aws_reason


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("ClusterNotFoundException", "ClusterNotFound"),
        ("AccessDeniedException", "AccessDenied"),
        ("AccessDenied", "AccessDenied"),
        ("LimitExceededException", "QuotaExceeded"),
        ("ServiceQuotaExceededException", "QuotaExceeded"),
    ],
)
def test_a_named_cause_becomes_its_reason(code: str, reason: str) -> None:
    assert aws_reason(code) == reason


def test_any_other_code_stays_an_aws_error() -> None:
    assert aws_reason("ClientException") == "AwsError"
