"""A corrected revision is the described one, minus what RegisterTaskDefinition refuses.

The copy is filtered by the operation's input shape in botocore's model rather than by a
list of fields known to be read-only: a field AWS adds to DescribeTaskDefinition later
must not make every registration fail.
"""

from __future__ import annotations

import botocore.session

from controller.aws._ecs import registrable

ACCEPTED = (
    botocore.session.get_session()
    .get_service_model("ecs")
    .operation_model("RegisterTaskDefinition")
    .input_shape.members
)
DESCRIBED = {
    "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/orders-api:3",
    "family": "orders-api",
    "revision": 3,
    "status": "ACTIVE",
    "registeredAt": "2026-12-01T00:00:00Z",
    "registeredBy": "arn:aws:iam::123456789012:user/deployer",
    "compatibilities": ["EC2", "FARGATE"],
    "requiresAttributes": [{"name": "ecs.capability.secrets.asm.environment-variables"}],
    "aFieldAwsAddsNextYear": {"readOnly": True},
    "containerDefinitions": [{"name": "app", "image": "registry.example.com/orders:1"}],
    "executionRoleArn": "arn:aws:iam::123456789012:role/orders-exec",
    "cpu": "256",
    "memory": "512",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
}


def test_read_only_and_unknown_fields_are_left_out() -> None:
    copied = registrable(DESCRIBED, ACCEPTED)

    assert set(copied) == {
        "family",
        "containerDefinitions",
        "executionRoleArn",
        "cpu",
        "memory",
        "requiresCompatibilities",
        "networkMode",
    }


def test_everything_the_deployer_set_is_kept_as_it_was() -> None:
    copied = registrable(DESCRIBED, ACCEPTED)

    assert all(copied[key] is DESCRIBED[key] for key in copied)
