"""The README's IAM policy for the controller names every AWS operation the code calls.

Operations are found in the source as their AWS names (``call(client, "PutSecretValue")``)
or as paginator names, and checked against botocore's own service models, so a new call
without its permission fails here rather than in someone's account.
"""

from __future__ import annotations

import json
import re

import botocore.session

from controller.aws._clients import SERVICES

from ._readme import REPO, fenced, section

# The IAM prefix of each botocore service.
PREFIX = {
    "cognito-idp": "cognito-idp",
    "ecs": "ecs",
    "iam": "iam",
    "secretsmanager": "secretsmanager",
    "sts": "sts",
    "dynamodb": "dynamodb",
    "sqs": "sqs",
}
# Not IAM actions of the controller's own role: sts:GetCallerIdentity needs no permission.
# A batch of SQS deletes is authorized as sqs:DeleteMessage (there is no batch action).
EXEMPT = {"sts:GetCallerIdentity", "sqs:DeleteMessageBatch"}


def policy_actions() -> set[str]:
    [policy] = fenced(section("Running against real AWS"), "json")
    document = json.loads(policy)
    actions: set[str] = set()
    for statement in document["Statement"]:
        granted = statement["Action"]
        actions |= {granted} if isinstance(granted, str) else set(granted)
    return actions


def called_operations() -> set[str]:
    """Per module, the operation names it uses, of the services whose clients it opens."""
    session = botocore.session.get_session()
    models = {
        service: set(session.get_service_model(service).operation_names) for service in SERVICES
    }
    called = set()
    for package in ("aws", "idp", "engine", "daemon", "events"):
        for path in (REPO / "controller" / package).glob("*.py"):
            source = path.read_text()
            names = set(re.findall(r'"([A-Z][A-Za-z]+)"', source)) | {
                "".join(part.title() for part in name.split("_"))
                for name in re.findall(r'get_paginator\("([a-z_]+)"\)', source)
            }
            for service in set(re.findall(r'client\("([a-z-]+)"\)', source)) & set(models):
                called |= {f"{PREFIX[service]}:{op}" for op in names & models[service]}
    return called


def test_the_policy_is_valid_json_with_statements() -> None:
    assert policy_actions()


def test_every_aws_operation_the_controller_calls_is_allowed_by_the_policy() -> None:
    missing = called_operations() - policy_actions() - EXEMPT
    assert not missing, f"add to the README's IAM policy: {sorted(missing)}"
