"""Convergence records for objects that own no AWS resource to tag, kept in the lease table.

An IdentityProvider's writes land on its user pool's resource servers, which Cognito cannot
tag and which belong to the platform anyway. Its "converged at generation G" record then
lives next to the lease, one item per object, so that a restarted daemon, another replica
or ``plan`` by hand tell its drift from an edit as they do for Services and Roles. Reads
are strongly consistent: a record written by the replica before must be seen.
"""

from __future__ import annotations

from controller.aws._clients import AwsClients
from controller.aws._errors import call


class ConvergenceRecords:
    """``key`` → the inputs generation it last converged at, in one DynamoDB table."""

    def __init__(self, aws: AwsClients, table: str, controller_id: str) -> None:
        self._aws, self._table, self._controller_id = aws, table, controller_id

    def _name(self, key: str) -> str:
        return f"ecs-oauth/{self._controller_id}/converged/{key}"

    async def get(self, key: str) -> str | None:
        response = await call(
            self._aws.client("dynamodb"),
            "GetItem",
            TableName=self._table,
            Key={"name": {"S": self._name(key)}},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return str(item["generation"]["S"]) if item else None

    async def put(self, key: str, generation: str) -> None:
        await call(
            self._aws.client("dynamodb"),
            "PutItem",
            TableName=self._table,
            Item={"name": {"S": self._name(key)}, "generation": {"S": generation}},
        )
