"""The README's EventBridge rule asks for exactly the calls the controller routes, in its
JSON pattern and in its CloudFormation snippet alike."""

from __future__ import annotations

import json
from typing import Any

import yaml

from controller.events import event_names

from ._readme import fenced, section

TITLE = "Events first, polling as the safety net"


class _CloudFormation(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (``!Ref``, ``!GetAtt``) read as text."""


_CloudFormation.add_multi_constructor("!", lambda loader, tag, node: f"!{tag} {node.value}")


def expected() -> tuple[set[str], set[str]]:
    routed = event_names()
    return set(routed), {name for names in routed.values() for name in names}


def asked_for(pattern: dict[str, Any]) -> tuple[set[str], set[str]]:
    assert pattern["detail-type"] == ["AWS API Call via CloudTrail"]
    sources = {source.split(".", 1)[0] for source in pattern["detail"]["eventSource"]}
    assert {f"aws.{source}" for source in sources} == set(pattern["source"])
    return set(pattern["detail"]["eventSource"]), set(pattern["detail"]["eventName"])


def test_the_json_pattern_asks_for_every_routed_call() -> None:
    [pattern] = fenced(section(TITLE), "json")
    assert asked_for(json.loads(pattern)) == expected()


def test_the_cloudformation_rule_has_the_same_pattern_and_feeds_the_queue() -> None:
    [template] = fenced(section(TITLE), "yaml")
    resources = yaml.load(template, Loader=_CloudFormation)["Resources"]  # noqa: S506
    rule = resources["Rule"]["Properties"]
    assert asked_for(rule["EventPattern"]) == expected()
    assert rule["Targets"][0]["Arn"] == "!GetAtt Queue.Arn"
    [statement] = resources["QueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == "!GetAtt Rule.Arn"
