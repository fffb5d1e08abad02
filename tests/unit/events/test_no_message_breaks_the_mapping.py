"""Whatever a message holds, deciding it never raises: a message that cannot be understood
is malformed (deleted and logged), never a crash that would redeliver it forever."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from controller.events import ManagedIndex, decide
from controller.events._route import ROUTES

INDEX = ManagedIndex(
    families={"orders-api": frozenset({"Service/orders-api"})},
    roles={"ecs-oauth-r": frozenset({"Role/r"})},
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
request_keys = st.sampled_from(
    ["family", "taskDefinition", "taskDefinitions", "service", "serviceName", "cluster",
     "resourceArn", "roleName", "secretId", "name", "clientId", "userPoolId"]
)  # fmt: skip


@given(st.text(max_size=200))
def test_any_text_is_decided(body: str) -> None:
    decide(body, INDEX, None)


@given(
    st.sampled_from(sorted(ROUTES)),
    st.dictionaries(request_keys, json_values, max_size=4),
    json_values,
    json_values,
)
def test_any_parameters_of_a_routed_call_are_decided(
    route: tuple[str, str], request: dict[str, Any], response: Any, identity: Any
) -> None:
    source, name = route
    envelope = {
        "detail-type": "AWS API Call via CloudTrail",
        "detail": {
            "eventSource": source,
            "eventName": name,
            "requestParameters": request,
            "responseElements": response,
            "userIdentity": identity,
        },
    }
    decision = decide(json.dumps(envelope), INDEX, "arn:aws:iam::1:user/me")
    assert decision.outcome in {"reconcile", "unmanaged", "own-write", "malformed"}
