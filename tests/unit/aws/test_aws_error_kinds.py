"""Which AWS failures are worth retrying, which need a person, and what their text shows."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from controller.aws import (
    QUOTA_CODES,
    THROTTLING_CODES,
    AwsError,
    AwsNotFound,
    AwsQuotaExceeded,
    AwsTransient,
    translate,
)


def client_error(code: str, status: int = 400) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": "detail"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "CreateRole")


class TestQuotas:
    @pytest.mark.parametrize(
        "code", ["LimitExceededException", "LimitExceeded", "ServiceQuotaExceededException"]
    )
    def test_a_quota_error_is_a_quota_not_throttling(self, code: str) -> None:
        error = translate("CreateRole", client_error(code))

        assert isinstance(error, AwsQuotaExceeded)
        assert error.quota
        assert not error.throttled
        assert not error.transient

    def test_the_quota_error_names_the_reason_the_engine_reports(self) -> None:
        error = translate("CreateUserPoolClient", client_error("LimitExceededException"))

        assert getattr(error, "reason", None) == "QuotaExceeded"

    def test_no_code_is_both_a_quota_and_throttling(self) -> None:
        assert not QUOTA_CODES & THROTTLING_CODES

    def test_other_errors_are_not_quotas(self) -> None:
        assert not translate("CreateRole", client_error("MalformedPolicyDocument")).quota


class TestThrottling:
    @pytest.mark.parametrize("code", ["Throttling", "TooManyRequestsException", "SlowDown"])
    def test_throttling_is_retried(self, code: str) -> None:
        error = translate("CreateRole", client_error(code))

        assert type(error) is AwsError
        assert (error.throttled, error.transient, error.quota) == (True, True, False)


class TestGarbledAnswers:
    def test_a_body_botocore_cannot_parse_is_transient(self) -> None:
        error = translate(
            "GetAccountAuthorizationDetails",
            ResponseParserError("Unable to parse response (not well-formed), invalid XML"),
        )

        assert isinstance(error, AwsTransient)
        assert error.transient
        assert error.throttled  # callers that retry on throttling retry this too
        assert error.code == "ResponseParserError"

    def test_the_unparsed_body_is_never_quoted(self) -> None:
        body = 'b\'{"SecretString": "hunter2-hunter2"}\''

        error = translate("GetSecretValue", ResponseParserError(f"Unable to parse: {body}"))

        assert "hunter2" not in str(error)

    def test_a_lost_connection_is_transient(self) -> None:
        error = translate("CreateRole", EndpointConnectionError(endpoint_url="https://iam"))

        assert error.transient

    def test_not_found_stays_not_found(self) -> None:
        error = translate("GetRole", client_error("NoSuchEntity", 404))

        assert isinstance(error, AwsNotFound)
        assert not error.transient


class TestServerFailures:
    @pytest.mark.parametrize(
        ("code", "status"), [("InternalFailure", 500), ("ServiceUnavailable", 503)]
    )
    def test_a_5xx_left_after_the_sdk_retries_is_transient(self, code: str, status: int) -> None:
        error = translate("CreateRole", client_error(code, status))

        assert isinstance(error, AwsTransient)
        assert (error.transient, error.quota) == (True, False)

    def test_a_4xx_refusal_is_permanent(self) -> None:
        error = translate("CreateRole", client_error("MalformedPolicyDocument", 400))

        assert (error.transient, error.throttled, error.quota) == (False, False, False)
