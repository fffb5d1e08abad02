"""The daemon's alert targets and the notifier that posts to them, from the settings."""

from __future__ import annotations

from controller.alerts import Notifier, Origin, SlackTarget, Target, WebhookTarget
from controller.config import Settings
from controller.daemon._metrics import Metrics
from controller.engine import World


async def alert_targets(settings: Settings, world: World) -> list[Target]:
    """Slack and the generic webhook, their URLs resolved (they are credentials)."""
    targets: list[Target] = []
    slack, webhook = settings.alerts.slack.webhook_url, settings.alerts.webhook.url
    if slack is not None:
        targets.append(SlackTarget(await world.resolve(slack, "alerts.slack.webhookUrl")))
    if webhook is not None:
        targets.append(WebhookTarget(await world.resolve(webhook, "alerts.webhook.url")))
    return targets


def alert_notifier(
    settings: Settings, world: World, metrics: Metrics, targets: list[Target]
) -> Notifier:
    """Every message names this controller, the account and Region the World reached
    (known once it is open), and the configured environment and status page."""
    counter = metrics.alerts
    alerts = settings.alerts
    origin = Origin(
        controller_id=settings.controller_id,
        account=world.account_id,
        region=world.aws.region,
        environment=alerts.environment,
        status_url=alerts.status_url,
    )
    return Notifier(
        targets,
        on_delivered=lambda target: counter.labels(target, "delivered").inc(),
        on_failed=lambda target: counter.labels(target, "failed").inc(),
        origin=origin,
        max_per_minute=alerts.max_messages_per_minute,
    )
