"""AWS error codes an operator can act on become the problem's CamelCase reason; the rest
are reported as AwsError with AWS's code in the message."""

from __future__ import annotations

import pytest

from controller.engine import aws_reason, problem_reason
from controller.idp import IdpRejected


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("ClusterNotFoundException", "ClusterNotFound"),
        ("AccessDeniedException", "AccessDenied"),
        ("AccessDenied", "AccessDenied"),
        ("LimitExceededException", "QuotaExceeded"),
        ("ServiceQuotaExceededException", "QuotaExceeded"),
        ("LimitExceeded", "QuotaExceeded"),  # IAM's spelling
    ],
)
def test_a_named_cause_becomes_its_reason(code: str, reason: str) -> None:
    assert aws_reason(code) == reason


def test_any_other_code_stays_an_aws_error() -> None:
    assert aws_reason("ClientException") == "AwsError"


def test_a_cognito_quota_refusal_is_a_quota_too() -> None:
    refused = IdpRejected("CreateUserPoolClient failed", status=400, error="LimitExceededException")

    assert problem_reason(refused) == "QuotaExceeded"


def test_any_other_idp_refusal_stays_an_idp_error() -> None:
    assert problem_reason(IdpRejected("no", status=400, error="invalid_client")) == "IdpError"
