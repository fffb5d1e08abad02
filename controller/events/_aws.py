"""The two AWS calls this room makes: who the controller is, and the change-event queue.

A thin adapter over the shared aiobotocore clients; it fails with ``controller.aws``'s
error tree only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from controller.aws import AwsClients, call

BATCH = 10  # ReceiveMessage and DeleteMessageBatch take at most ten messages
WAIT_SECONDS = 20  # the longest long poll SQS allows; under the clients' 30 s read timeout


@dataclass(frozen=True)
class Message:
    id: str
    receipt: str
    body: str


async def caller_arn(aws: AwsClients) -> str:
    """The controller's own principal, to tell its own writes from everyone else's."""
    answer = await call(aws.client("sts"), "GetCallerIdentity")
    return str(answer["Arn"])


class EventQueue:
    """An SQS queue fed by an EventBridge rule: long-polled, deleted in batches."""

    def __init__(self, aws: AwsClients, url: str) -> None:
        self._aws = aws
        self.url = url

    async def receive(self) -> list[Message]:
        """Up to ten messages; waits up to 20 s for the first (an empty list after that)."""
        answer = await call(
            self._aws.client("sqs"),
            "ReceiveMessage",
            QueueUrl=self.url,
            MaxNumberOfMessages=BATCH,
            WaitTimeSeconds=WAIT_SECONDS,
        )
        return [
            Message(str(m.get("MessageId", "")), str(m["ReceiptHandle"]), str(m.get("Body", "")))
            for m in answer.get("Messages", [])
        ]

    async def delete(self, messages: Sequence[Message]) -> list[tuple[str, str]]:
        """Delete ``messages``; the (message id, error code) of each SQS refused, since a
        batch answers 200 even when some entries fail."""
        if not messages:
            return []
        answer = await call(
            self._aws.client("sqs"),
            "DeleteMessageBatch",
            QueueUrl=self.url,
            Entries=[{"Id": str(n), "ReceiptHandle": m.receipt} for n, m in enumerate(messages)],
        )
        return [
            (messages[int(failed["Id"])].id, str(failed.get("Code", "")))
            for failed in answer.get("Failed", [])
        ]
