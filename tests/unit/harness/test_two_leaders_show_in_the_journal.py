"""The chaos harness's two-writers check, on journal entries made up by hand."""

from __future__ import annotations

from typing import Any

from tests.harness.chaos_leaders import REPLICA_KEY_PREFIX, overlapping_writers

A, B = f"{REPLICA_KEY_PREFIX}000001", f"{REPLICA_KEY_PREFIX}000002"


def call(key: str, operation: str, started: float, ended: float, service: str = "ecs") -> Any:
    return {
        "service": service,
        "operation": operation,
        "accessKey": key,
        "started": started,
        "ended": ended,
    }


def test_a_handover_after_the_last_write_is_no_overlap() -> None:
    calls = [call(A, "RegisterTaskDefinition", 1, 2), call(B, "RegisterTaskDefinition", 3, 4)]

    assert overlapping_writers(calls) == []


def test_writes_of_two_replicas_interleaved_are_an_overlap() -> None:
    calls = [
        call(A, "RegisterTaskDefinition", 1, 2),
        call(B, "PutSecretValue", 3, 4, service="secretsmanager"),
        call(A, "UpdateService", 5, 6),
    ]

    assert overlapping_writers(calls) == [(A, B)]


def test_reads_and_the_lease_s_own_calls_do_not_count() -> None:
    calls = [
        call(A, "RegisterTaskDefinition", 1, 2),
        call(B, "DescribeTaskDefinition", 1.5, 1.6),
        call(B, "PutItem", 1.5, 1.6, service="dynamodb"),
        call(A, "PutItem", 7, 8, service="dynamodb"),
        call(B, "RegisterTaskDefinition", 3, 4),
    ]

    assert overlapping_writers(calls) == []
