"""The catalogue of AWS behaviours the strict sandbox enforces beyond the API shapes.

Each rule is data (the operations it watches, the sentence of AWS's
documentation it enforces and where that sentence comes from) plus the code
that enforces it. A controller that passes against moto alone can still fail
against AWS on exactly these points; with the rules on, it fails here first.
Rules are named so that tests and users can switch one off through the
control API (``/__strict``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controller.sandbox._aws_rule_kinds import Check, Rejection, Rewrite, Windows
from controller.sandbox._aws_rules_dynamodb import EVENTUAL_READS, ITEM_WRITES, StaleReads
from controller.sandbox._aws_rules_iam import (
    BOUNDARY_OPERATIONS,
    RoleVisibility,
    boundary_policy_exists,
)
from controller.sandbox._aws_rules_secrets import (
    LISTED_CHANGES,
    ListingLag,
    stage_names_version,
    version_quota,
)
from controller.sandbox._aws_wire import AwsCall

SECRETS_NEED_EXECUTION_ROLE = (
    "When you are specifying container secrets, you must also specify a value for "
    "'executionRoleArn'."
)


@dataclass(frozen=True)
class Rule:
    """One documented AWS behaviour and the code that enforces it."""

    name: str
    service: str
    operations: frozenset[str]
    documented: str
    source: str
    check: Check | None = None
    rewrite: Rewrite | None = None

    def watches(self, call: AwsCall) -> bool:
        return call.service == self.service and call.name in self.operations


def secrets_need_execution_role(call: AwsCall, _windows: Windows) -> Rejection | None:
    """RegisterTaskDefinition: container secrets are fetched with the execution role."""
    containers: list[dict[str, Any]] = call.params.get("containerDefinitions") or []
    if call.params.get("executionRoleArn") or not any(c.get("secrets") for c in containers):
        return None
    return Rejection("ClientException", SECRETS_NEED_EXECUTION_ROLE)


def catalogue() -> tuple[Rule, ...]:
    """Every rule, with fresh state (a server reset starts from here again).

    Checks run in this order and the first rejection wins: rules that only
    reject come before those that remember a call, so what they remember
    always reaches moto.
    """
    listing = ListingLag()
    roles = RoleVisibility()
    items = StaleReads()
    return (
        Rule(
            name="ecs-secrets-need-execution-role",
            service="ecs",
            operations=frozenset({"RegisterTaskDefinition"}),
            documented=SECRETS_NEED_EXECUTION_ROLE,
            source="ECS API reference, RegisterTaskDefinition; terraform-provider-aws #6503",
            check=secrets_need_execution_role,
        ),
        Rule(
            name="iam-boundary-policy-exists",
            service="iam",
            operations=BOUNDARY_OPERATIONS,
            documented=(
                "The ARN of the managed policy that is used to set the permissions boundary "
                "for the role. [NoSuchEntity:] The request was rejected because it "
                "referenced a resource entity that does not exist."
            ),
            source=(
                "IAM API reference, CreateRole and PutRolePermissionsBoundary "
                "(PermissionsBoundary; errors: NoSuchEntity)"
            ),
            check=boundary_policy_exists,
        ),
        Rule(
            name="secret-version-quota",
            service="secretsmanager",
            operations=frozenset({"PutSecretValue", "UpdateSecret"}),
            documented=(
                "Secrets Manager keeps 100 of the most recent versions, but it keeps all "
                "secret versions created in the last 24 hours. If you call PutSecretValue "
                "more than once every 10 minutes, you will create more versions than "
                "Secrets Manager removes, and you will reach the quota for secret versions."
            ),
            source="Secrets Manager API reference, PutSecretValue (botocore documentation)",
            check=version_quota,
        ),
        Rule(
            name="secret-version-stage-match",
            service="secretsmanager",
            operations=frozenset({"GetSecretValue"}),
            documented=(
                "If you include both this parameter and VersionId, the two parameters "
                "must refer to the same secret version."
            ),
            source="Secrets Manager API reference, GetSecretValue VersionStage",
            check=stage_names_version,
        ),
        Rule(
            name="secrets-list-lag",
            service="secretsmanager",
            operations=LISTED_CHANGES | {"ListSecrets"},
            documented=(
                "All Secrets Manager operations are eventually consistent. ListSecrets "
                "might not reflect changes from the last five minutes."
            ),
            source="Secrets Manager API reference, ListSecrets (botocore documentation)",
            check=listing.remember,
            rewrite=listing.rewrite,
        ),
        Rule(
            name="iam-role-visibility",
            service="iam",
            operations=frozenset({"CreateRole", "GetAccountAuthorizationDetails"}),
            documented=(
                "Because IAM is eventually consistent, changes that you make are not "
                "always immediately visible."
            ),
            source='IAM user guide, "Changes that I make are not always immediately visible"',
            rewrite=roles.rewrite,
        ),
        Rule(
            name="dynamodb-eventual-reads",
            service="dynamodb",
            operations=ITEM_WRITES | {"GetItem"},
            documented=EVENTUAL_READS,
            source="DynamoDB developer guide, Read consistency; API reference, GetItem",
            check=items.remember,
            rewrite=items.rewrite,
        ),
    )
