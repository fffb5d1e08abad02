"""Drift alerts to chat: which drifts are news (pure), and delivery that never blocks.

The daemon reports the drifts each reconcile found to a ``DriftLedger``, which answers
with the alerts worth sending: one per distinct drift, one "resolved" when it is gone.
It hands those, and rotation and desired-state alerts, to ``Notifier.post``, which
queues them for a Slack incoming webhook and/or a generic JSON webhook and returns at
once. Alerts carry names and field paths only, never values.
"""

from controller.alerts._events import (
    RotationStatus,
    desired_state_invalid,
    desired_state_recovered,
    rotation_alert,
)
from controller.alerts._format import slack_message, webhook_document
from controller.alerts._ledger import DriftLedger
from controller.alerts._model import (
    Alert,
    AlertKind,
    Drift,
    drift_alert,
    fingerprint,
    resolved_alert,
)
from controller.alerts._notifier import Notifier, RetryPolicy
from controller.alerts._targets import DeliveryFailed, SlackTarget, Target, WebhookTarget

__all__ = [
    "Alert",
    "AlertKind",
    "DeliveryFailed",
    "Drift",
    "DriftLedger",
    "Notifier",
    "RetryPolicy",
    "RotationStatus",
    "SlackTarget",
    "Target",
    "WebhookTarget",
    "desired_state_invalid",
    "desired_state_recovered",
    "drift_alert",
    "fingerprint",
    "resolved_alert",
    "rotation_alert",
    "slack_message",
    "webhook_document",
]
