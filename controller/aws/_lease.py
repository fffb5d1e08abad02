"""Leader election over a DynamoDB item: one replica writes, the others stand by.

A lease is one item, keyed by ``name``, naming its holder and when it expires. Taking or
renewing it is one conditional PutItem: it succeeds only when nobody holds the item, the
lease expired, or we hold it already. Expiry is wall-clock time, so replicas' clocks must
agree to well within the lease duration (NTP gives milliseconds; leases last seconds).
"""

from __future__ import annotations

import time

from controller.aws._clients import AwsClients
from controller.aws._errors import AwsError, call

_TAKEN_BY_ANOTHER = "ConditionalCheckFailedException"


class Lease:
    def __init__(self, aws: AwsClients, table: str, name: str, holder: str) -> None:
        self._aws = aws
        self.table = table
        self.name = name
        self.holder = holder

    async def acquire(self, duration: float) -> bool:
        """Take or renew the lease for ``duration`` seconds; false when another holds it."""
        now = time.time()
        try:
            await call(
                self._aws.client("dynamodb"),
                "PutItem",
                TableName=self.table,
                Item={
                    "name": {"S": self.name},
                    "holder": {"S": self.holder},
                    "expiresAt": {"N": f"{now + duration:.3f}"},
                },
                ConditionExpression=(
                    "attribute_not_exists(#name) OR expiresAt < :now OR holder = :me"
                ),
                ExpressionAttributeNames={"#name": "name"},
                ExpressionAttributeValues={":now": {"N": f"{now:.3f}"}, ":me": {"S": self.holder}},
            )
        except AwsError as exc:
            if exc.code == _TAKEN_BY_ANOTHER:
                return False
            raise
        return True

    async def release(self) -> None:
        """Give the lease up at shutdown, so a standby takes over at once, not on expiry."""
        try:
            await call(
                self._aws.client("dynamodb"),
                "DeleteItem",
                TableName=self.table,
                Key={"name": {"S": self.name}},
                ConditionExpression="holder = :me",
                ExpressionAttributeValues={":me": {"S": self.holder}},
            )
        except AwsError as exc:
            if exc.code != _TAKEN_BY_ANOTHER:
                raise
