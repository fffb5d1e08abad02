"""The settings in force, as one values document: what every layer added up to.

A credential setting holds a reference (``{fromEnv: NAME}`` or ``{fromSecretArn: ARN}``),
never a value, and is shown as that reference: nothing is resolved here.
"""

from __future__ import annotations

from typing import Any

import yaml

from controller.config._settings import Settings

_REFERENCE_KEYS = {"fromEnv", "fromSecretArn"}


def effective(settings: Settings) -> dict[str, Any]:
    """Every setting with its value, in values.yaml's shape and spelling."""
    document: dict[str, Any] = _references_as_written(
        settings.model_dump(mode="json", by_alias=True)
    )
    return document


def _references_as_written(node: Any) -> Any:
    """A reference dumps with both of its keys, one of them null; show the one written."""
    if isinstance(node, dict):
        if node.keys() == _REFERENCE_KEYS:
            return {key: value for key, value in node.items() if value is not None}
        return {key: _references_as_written(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_references_as_written(item) for item in node]
    return node


class _Reference(dict[str, str]):
    """Dumped on one line, as people write it: ``{fromEnv: SLACK_WEBHOOK_URL}``."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Reference,
    lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True),
)


def render(document: dict[str, Any], layers: list[str]) -> str:
    """The effective settings as a values file, headed by the layers that made them."""
    header = "# effective settings: " + ", then ".join(["the defaults", *layers]) + "\n"
    return header + yaml.dump(_flow_references(document), Dumper=_Dumper, sort_keys=False)


def _flow_references(node: Any) -> Any:
    if isinstance(node, dict):
        if node and node.keys() <= _REFERENCE_KEYS:
            return _Reference(node)
        return {key: _flow_references(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_flow_references(item) for item in node]
    return node
