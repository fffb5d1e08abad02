"""Sample plan pieces, one of each kind a rendering must keep apart: the text and markdown
plan tests share them, so both renderers are judged on the same plan."""

from __future__ import annotations

from controller.plan import KNOWN_AFTER_APPLY, Change, FieldChange, Problem

TASK_DEF = Change(
    "Service/orders-api",
    "ecs:task-definition",
    "orders-api",
    "update",
    (FieldChange("taskRoleArn", "arn:aws:iam::1:role/theirs", "arn:aws:iam::1:role/ours"),),
)
SECRET = Change(
    "Service/orders-api",
    "secretsmanager:secret",
    "ecs-oauth/orders-api",
    "create",
    (FieldChange("value.client_id", None, KNOWN_AFTER_APPLY),),
)
DETECTED = Change(
    "Service/stock-sync",
    "ecs:task-definition",
    "stock-sync",
    "update",
    (FieldChange("taskRoleArn", "a", "b"),),
    drift=True,
    withheld="detect",
)
ORPHAN = Change(
    "Service/retired",
    "iam:role",
    "ecs-oauth-retired-exec",
    "delete",
    (FieldChange("arn", "arn:aws:iam::1:role/ecs-oauth-retired-exec", None),),
    withheld="prune",
)
BLOCKED = Problem(
    "Service/checkout", "ecs:service", "prod/checkout", "EcsServiceMissing", "not found"
)
