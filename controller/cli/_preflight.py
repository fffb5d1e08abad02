"""What ``run`` says before it starts, on stderr (stdout carries its JSON logs): where it
runs, and what would otherwise go unnoticed."""

from __future__ import annotations

import sys
from pathlib import Path

from controller.config import Settings
from controller.plan import Context

NO_ALERTS = (
    "warning: no alert target is configured (alerts.slack.webhookUrl, alerts.webhook.url): "
    "drift is corrected and logged, but nobody is told"
)


def run_warnings(settings: Settings, holder: str | None) -> list[str]:
    """Lines to show at start. ``holder`` is who holds the lease item now, if anyone."""
    warnings = []
    alerts = settings.alerts
    if alerts.slack.webhook_url is None and alerts.webhook.url is None:
        warnings.append(NO_ALERTS)
    table = settings.leader_election.table
    if table is None:
        warnings.append(
            "warning: leader election is off (leaderElection.table unset): this replica writes "
            "without a lease, so no second replica, apply or rotate may run beside it"
        )
    elif holder is not None:
        warnings.append(
            f"warning: {holder} holds the lease of controller {settings.controller_id} (table "
            f"{table}): this replica stands by and writes nothing while that one renews it"
        )
    return warnings


async def _look(settings: Settings, path: Path | str) -> tuple[Context, str | None]:
    from controller.aws import AwsClients, call, lease_holder, lease_name

    async with AwsClients(region=settings.region) as aws:
        identity = await call(aws.client("sts"), "GetCallerIdentity")
        context = Context(identity["Account"], aws.region, settings.controller_id, str(path))
        table = settings.leader_election.table
        name = lease_name(settings.controller_id)
        holder = await lease_holder(aws, table, name) if table is not None else None
    return context, holder


def announce(settings: Settings, path: Path | str) -> None:
    """The context header and the warnings; a failed look is itself a warning, never a
    reason not to start (the daemon reports AWS trouble in its own way)."""
    import asyncio

    try:
        context, holder = asyncio.run(_look(settings, path))
    except Exception as exc:  # the daemon starts anyway and reports it properly
        print(f"warning: could not read the account or the lease: {exc}", file=sys.stderr)
        holder = None
    else:
        print(context.header(), file=sys.stderr)
    for line in run_warnings(settings, holder):
        print(line, file=sys.stderr)
