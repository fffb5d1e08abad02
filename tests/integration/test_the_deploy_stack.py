"""deploy/cloudformation.yaml, created as a stack in the sandbox's CloudFormation: the
resources come up with what the controller needs, and the controller takes its lease on
the table the stack made.

The parameters are real resources of the sandbox (a cluster, a subnet and a security
group, the two secrets, the boundary policy), named as deploy/values.yaml's example, so
the task's ``--set`` settings must come out equal to that file's. The sandbox creates the
QueuePolicy as a resource without type or name and attaches no policy to the queue, so
that the rule may send to the queue is left to cfn-lint and the unit test of the template.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from controller.aws import AwsClients, Lease, lease_holder, lease_name
from controller.config import load_settings
from tests.harness.moto import MotoPeer

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "deploy" / "cloudformation.yaml"
VALUES = REPO / "deploy" / "values.yaml"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecs-oauth:1.0.0"
STACK = "ecs-oauth"


def create_stack(moto: MotoPeer, events: str) -> dict[str, str]:
    """The stack with parameters that exist in the sandbox; its outputs, once complete."""
    ec2 = moto.boto3_client("ec2")
    secrets = moto.boto3_client("secretsmanager")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="ecs-oauth", Description="egress", VpcId=vpc)
    moto.boto3_client("ecs").create_cluster(clusterName="platform")
    boundary = moto.boto3_client("iam").create_policy(
        PolicyName="ecs-oauth-task-boundary",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    parameters = {
        "ImageUri": IMAGE,
        "Cluster": "platform",
        "Subnets": subnet,
        "SecurityGroups": group["GroupId"],
        "ControllerId": "platform-prod",
        "GitUrl": "https://github.com/acme/platform-desired.git",
        "GitPath": "desired",
        "GitTokenSecretArn": secrets.create_secret(Name="git-token", SecretString="t")["ARN"],
        "AlertWebhookSecretArn": secrets.create_secret(Name="webhook", SecretString="u")["ARN"],
        "PermissionsBoundaryArn": boundary,
        "Events": events,
    }
    cloudformation = moto.boto3_client("cloudformation")
    cloudformation.create_stack(
        StackName=STACK,
        TemplateBody=TEMPLATE.read_text(),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    cloudformation.get_waiter("stack_create_complete").wait(
        StackName=STACK, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    [stack] = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}


def container(moto: MotoPeer) -> dict[str, Any]:
    """The controller's container in the task definition the stack's service runs."""
    [service] = moto.boto3_client("ecs").describe_services(
        cluster="platform", services=["ecs-oauth-platform-prod"]
    )["services"]
    described = moto.boto3_client("ecs").describe_task_definition(
        taskDefinition=service["taskDefinition"]
    )
    [controller] = described["taskDefinition"]["containerDefinitions"]
    return dict(controller)


def assignments(command: list[str]) -> list[str]:
    return [command[i + 1] for i, word in enumerate(command) if word == "--set"]


class TestWithEventsOn:
    def test_the_lease_table_has_the_string_key_name_the_lease_reads(self, moto: MotoPeer) -> None:
        outputs = create_stack(moto, events="on")

        table = moto.boto3_client("dynamodb").describe_table(TableName=outputs["LeaseTable"])

        assert table["Table"]["KeySchema"] == [{"AttributeName": "name", "KeyType": "HASH"}]
        assert table["Table"]["AttributeDefinitions"] == [
            {"AttributeName": "name", "AttributeType": "S"}
        ]

    def test_the_queue_exists_and_the_rule_targets_it(self, moto: MotoPeer) -> None:
        outputs = create_stack(moto, events="on")
        sqs, events = moto.boto3_client("sqs"), moto.boto3_client("events")

        queue_arn = sqs.get_queue_attributes(
            QueueUrl=outputs["QueueUrl"], AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        rule = events.describe_rule(Name="ecs-oauth-events")
        targets = events.list_targets_by_rule(Rule="ecs-oauth-events")["Targets"]

        assert rule["State"] == "ENABLED"
        assert json.loads(rule["EventPattern"])["detail-type"] == ["AWS API Call via CloudTrail"]
        assert [target["Arn"] for target in targets] == [queue_arn]

    def test_the_task_runs_the_image_with_the_settings_of_deploy_values(
        self, moto: MotoPeer
    ) -> None:
        create_stack(moto, events="on")

        controller = container(moto)

        assert controller["image"] == IMAGE
        assert load_settings([], assignments(controller["command"])) == load_settings([VALUES], [])
        assert {secret["name"] for secret in controller["secrets"]} == {
            "GIT_TOKEN",
            "ALERT_WEBHOOK_URL",
        }

    async def test_the_controller_takes_its_lease_on_the_stacks_table(self, moto: MotoPeer) -> None:
        create_stack(moto, events="on")
        settings = load_settings([], assignments(container(moto)["command"]))
        table = settings.leader_election.table
        assert table is not None
        name = lease_name(settings.controller_id)

        async with AwsClients() as aws:
            lease = Lease(aws, table, name, "run/replica-1", duration=15.0)
            taken = await lease.acquire()
            holder = await lease_holder(aws, table, name)
            await lease.release()
            released = await lease_holder(aws, table, name)

        assert taken
        assert holder == "run/replica-1"
        assert released is None


class TestWithEventsOff:
    def test_there_is_no_queue_nor_rule_and_the_task_has_no_queue(self, moto: MotoPeer) -> None:
        outputs = create_stack(moto, events="off")

        queues = moto.boto3_client("sqs").list_queues().get("QueueUrls", [])
        rules = moto.boto3_client("events").list_rules()["Rules"]
        settings = load_settings([], assignments(container(moto)["command"]))

        assert "QueueUrl" not in outputs
        assert queues == []
        assert rules == []
        assert settings.events.queue_url is None
        assert settings.leader_election.table == outputs["LeaseTable"]
