"""What ``ecs-oauth sandbox`` prints about its world: where things are, a task's view of
each Service, and the drift a person can cause by hand.

Plain lines for a terminal; the command line decides when to print them.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from botocore.exceptions import BotoCoreError, ClientError

from controller.desired import DesiredState, Mode, format_duration
from controller.sandbox._drift import prepare_drift
from controller.sandbox._local import REGION, LocalWorld
from controller.sandbox._taskview import (
    TaskViewError,
    render_task_view,
    task_environment,
    task_view,
)

_WHAT_HAPPENS: dict[Mode, str] = {
    "enforce": "the controller puts it back at its next resync (every {resync}) and rolls"
    " the ECS service to the corrected revision",
    "detect": "the controller reports it (status, alert) and leaves it alone",
}


def services_in_mode(state: DesiredState, mode: Mode, default: Mode) -> list[str]:
    """Names of the Services that run in ``mode``, given the settings' default mode."""
    return sorted(
        name for name, service in state.services.items() if (service.spec.mode or default) == mode
    )


def banner(world: LocalWorld, log: Path) -> list[str]:
    """Where everything is, and what the seeding created."""
    seeded, specs = world.seeded, [s.spec for s in world.state.services.values()]
    clusters = ", ".join(sorted({spec.cluster for spec in specs}))
    pools = ", ".join(seeded.user_pool_ids) or "none"
    return [
        f"  desired state  {world.source}: {world.state.summary()}",
        f"  working copy   {world.desired}",
        "                 (identity providers point at the local ones; edit it and watch)",
        f"  daemon log     {log}",
        f"  local AWS      {world.aws_url} (moto), seeded as a platform team has it:",
        f"                 user pools {pools}; clusters {clusters};"
        f" {len(seeded.execution_role_arns)} shared execution role(s);"
        f" {len(seeded.task_definition_arns)} task definitions;"
        f" {sum(1 for spec in specs if spec.service)} ECS services",
        f"  local IdP      {world.authserver.issuer} (authlib: client credentials,"
        " RFC 7591/7592, JWKS)",
        *(
            f"  local Okta     {org.org_url} (IdentityProvider/{name}: management API,"
            " custom authorization server)"
            for name, org in sorted(world.okta_orgs.items())
        ),
    ]


async def task_view_lines(world: LocalWorld, name: str) -> list[str]:
    """The task's view of Service ``name``, or why there is none."""
    service = world.working.services[name]
    try:
        env = await asyncio.to_thread(task_environment, world.client, service)
        async with aiohttp.ClientSession() as http:
            view = await task_view(env, name, http)
    except (TaskViewError, ClientError, BotoCoreError, aiohttp.ClientError, OSError) as exc:
        return [f"Service/{name}", f"  no token: {exc}"]
    return render_task_view(view, datetime.now(UTC))


def drift_lines(world: LocalWorld, default: Mode, resync: timedelta, folder: Path) -> list[str]:
    """For the first Service in each mode: the command that swaps its task role by hand."""
    lines = ["Cause drift by hand (this is the sandbox's AWS; no account is touched):"]
    for mode, what in _WHAT_HAPPENS.items():
        names = services_in_mode(world.working, mode, default)
        if not names:
            continue
        service = world.working.services[names[0]]
        try:
            command = prepare_drift(world.client, service, mode, world.aws_url, REGION, folder)
        except (TaskViewError, ClientError, BotoCoreError) as exc:
            lines.append(f"  {names[0]}: cannot prepare a drift: {exc}")
            continue
        lines += [
            f"  {names[0]} ({mode} mode): a deploy swaps the task role;"
            f" {what.format(resync=format_duration(resync))}.",
            f"    {command.aws}",
            f"    without the aws CLI: {command.without_aws_cli}",
        ]
    return lines
