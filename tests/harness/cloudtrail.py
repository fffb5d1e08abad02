"""CloudTrail records as EventBridge delivers them to SQS ("AWS API Call via CloudTrail"),
shaped after the examples in the CloudTrail user guide: an assumed-role session with its
session issuer, the call's source address, request parameters and response elements."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"
ALICE = f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice@example.com"
ALICE_IP = "203.0.113.7"
CONTROLLER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/platform/ecs-oauth-controller"
CONTROLLER_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/ecs-oauth-controller/8f3c2a1b"


def identity(arn: str) -> dict[str, Any]:
    """userIdentity of a role session, or of an IAM user when ``arn`` is a user's."""
    if ":assumed-role/" not in arn:
        return {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": arn, "accountId": ACCOUNT}
    role = arn.split("/")[1]
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE:{arn.rsplit('/', 1)[-1]}",
        "arn": arn,
        "accountId": ACCOUNT,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLE",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                "accountId": ACCOUNT,
                "userName": role,
            },
            "attributes": {"creationDate": "2026-12-03T06:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def envelope(
    source: str,
    name: str,
    request: dict[str, Any] | None,
    response: dict[str, Any] | None = None,
    *,
    actor: str = ALICE,
    ip: str = ALICE_IP,
    **detail: Any,
) -> dict[str, Any]:
    service = source.split(".", 1)[0]
    return {
        "version": "0",
        "id": "6f2a8f0e-0e4b-4a8e-9d9f-4f1c2a3b4c5d",
        "detail-type": "AWS API Call via CloudTrail",
        "source": f"aws.{service}",
        "account": ACCOUNT,
        "time": "2026-12-03T06:30:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            "userIdentity": identity(actor),
            "eventTime": "2026-12-03T06:30:00Z",
            "eventSource": source,
            "eventName": name,
            "awsRegion": "us-east-1",
            "sourceIPAddress": ip,
            "userAgent": "aws-cli/2.22.0",
            "requestParameters": request,
            "responseElements": response,
            "requestID": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
            "eventID": "e1f2a3b4-5678-90ab-cdef-EXAMPLE22222",
            "readOnly": False,
            "eventType": "AwsApiCall",
            "managementEvent": True,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Management",
            **detail,
        },
    }


def body(*args: Any, **kwargs: Any) -> str:
    return json.dumps(envelope(*args, **kwargs))
