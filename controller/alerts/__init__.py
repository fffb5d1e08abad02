"""Drift alerts to chat: which drifts are news (pure), and delivery that never blocks.

The daemon reports the drifts each reconcile found to a ``DriftLedger``, which answers
with the alerts worth sending: one message per incident (every drifted resource and field
of one object), one "resolved" when all of it is gone. It hands those, and rotation and
desired-state alerts, to ``Notifier.post``, which stamps them with their ``Origin``
(controller, account, Region, environment) and queues them for a Slack incoming webhook
and/or a generic JSON webhook, at most N a minute per target, and returns at once.
Field values appear only as ``_values.shown_value`` lets them: never a secret.
"""

from controller.alerts._events import (
    RotationStatus,
    desired_state_changed,
    desired_state_invalid,
    desired_state_recovered,
    rotation_alert,
)
from controller.alerts._format import fallback_text, slack_message, webhook_document
from controller.alerts._incidents import drift_alert, incident_fingerprint, resolved_alert
from controller.alerts._ledger import DriftLedger
from controller.alerts._model import Alert, AlertKind, Drift, FieldDelta, Origin, fingerprint
from controller.alerts._notifier import Notifier, RetryPolicy
from controller.alerts._pacing import summary, wait_before_next
from controller.alerts._targets import DeliveryFailed, SlackTarget, Target, WebhookTarget
from controller.alerts._values import shown_value

__all__ = [
    "Alert",
    "AlertKind",
    "DeliveryFailed",
    "Drift",
    "DriftLedger",
    "FieldDelta",
    "Notifier",
    "Origin",
    "RetryPolicy",
    "RotationStatus",
    "SlackTarget",
    "Target",
    "WebhookTarget",
    "desired_state_changed",
    "desired_state_invalid",
    "desired_state_recovered",
    "drift_alert",
    "fallback_text",
    "fingerprint",
    "incident_fingerprint",
    "resolved_alert",
    "rotation_alert",
    "shown_value",
    "slack_message",
    "summary",
    "wait_before_next",
    "webhook_document",
]
