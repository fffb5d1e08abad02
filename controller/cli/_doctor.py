"""``ecs-oauth doctor SERVICE``: walks the chain a task of the service depends on (secret,
token, scopes, clock, task definition, deployment) and prints one verdict per link, with
what to do for each broken one. Exit 0 when every link holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from controller.cli._common import add_service_command, load_inputs
from controller.desired import DesiredState, Service, format_duration

if TYPE_CHECKING:
    from controller.aws import AwsClients
    from controller.cli._doctor_checks import Check
    from controller.cli._task_view import ServiceSecret

AFTER_TOKEN = ("scopes", "clock")
VERDICTS = (("PASS", "passed"), ("FAIL", "failed"), ("SKIP", "skipped"))


def register(commands: Any) -> None:
    parser = add_service_command(commands, "doctor", "check the chain a service's tasks depend on")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from controller.cli._task_view import NotReady, find_service

    inputs = load_inputs(args)
    if inputs is None:
        return 1
    state, settings = inputs
    try:
        service = find_service(state, args.service, args.path)
    except NotReady as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    checks = asyncio.run(diagnose(state, service, settings.region))
    for check in checks:
        print(f"{check.status:<4}  {check.name:<15}  {check.detail}")
        if check.fix:
            print(f"{'':<4}  {'':<15}  fix: {check.fix}")
    counts = Counter(check.status for check in checks)
    tally = ", ".join(f"{counts[status]} {word}" for status, word in VERDICTS if counts[status])
    print(f"{len(checks)} checks: {tally}")
    return 0 if counts["PASS"] == len(checks) else 1


async def diagnose(state: DesiredState, service: Service, region: str | None) -> list[Check]:
    from controller.cli._doctor_checks import failed, passed, skipped, utc_text
    from controller.cli._task_view import NotReady, open_aws, read_secret

    name = service.metadata.name
    async with open_aws(region) as aws:
        try:
            secret = await read_secret(aws, name)
            secret.task_environment()  # every key a task needs is there
        except NotReady as exc:
            later = ("token", *AFTER_TOKEN, "task-definition", "deployment")
            return [failed("secret", exc.problem, exc.fix), *skipped(later, "the secret")]
        created = f", created {utc_text(secret.created)}" if secret.created else ""
        checks = [
            passed(
                "secret",
                f"{secret.name} readable at AWSCURRENT with every key a task needs "
                f"(version {secret.version_id[:8]}{created})",
            ),
            *await _token_checks(state, service, secret),
        ]
        checks += await _ecs_checks(aws, service, secret)
    return checks


async def _token_checks(
    state: DesiredState, service: Service, secret: ServiceSecret
) -> list[Check]:
    from controller.cli._doctor_checks import clock_check, failed, passed, scopes_check, skipped
    from controller.taskclient import (
        CredentialsRejected,
        TokenClient,
        TokenEndpointUnavailable,
        TokenRequestRejected,
        granted_scopes,
        unverified_claims,
    )

    try:
        token = await TokenClient.from_env(secret.task_environment()).token()
    except CredentialsRejected as exc:
        fix = "run ecs-oauth apply: it re-creates a client the IdP lost, with new credentials"
        return [failed("token", str(exc), fix), *skipped(AFTER_TOKEN, "a token")]
    except TokenRequestRejected as exc:
        fix = "run ecs-oauth apply: it resets the client's grant types and scopes"
        return [failed("token", str(exc), fix), *skipped(AFTER_TOKEN, "a token")]
    except TokenEndpointUnavailable as exc:
        fix = "check that the IdP is up and its token endpoint reachable from the tasks"
        return [failed("token", str(exc), fix), *skipped(AFTER_TOKEN, "a token")]
    lifetime = format_duration(timedelta(seconds=round(token.lifetime)))
    endpoint = secret.value["token_endpoint"]
    claims = unverified_claims(token.access_token) or {}
    role = service.spec.role
    return [
        passed("token", f"a {token.token_type} token from {endpoint}, valid for {lifetime}"),
        scopes_check(granted_scopes(claims) or token.scopes, role, state.role_scopes(role)),
        clock_check(token.clock_skew),
    ]


async def _ecs_checks(aws: AwsClients, service: Service, secret: ServiceSecret) -> list[Check]:
    """The latest revision injects the secret; the running deployment is younger than the
    secret's current version. An AWS failure fails its own check only."""
    from controller.aws import AwsError, EcsServices, TaskDefinitions
    from controller.cli._doctor_checks import deployment_check, failed, task_definition_check
    from controller.cli._task_view import PERMISSIONS

    reference = service.spec.task_definition
    definitions = TaskDefinitions(aws)
    latest = None
    try:
        latest = await definitions.latest_arn(reference.family)
        definition = (await definitions.describe(latest))["taskDefinition"] if latest else {}
        checks = [
            task_definition_check(
                latest,
                {"family": reference.family, **definition},
                reference.container,
                secret.arn,
                secret.value,
            )
        ]
    except AwsError as exc:
        checks = [failed("task-definition", str(exc), PERMISSIONS)]
    if service.spec.service is None:
        return checks
    cluster, name = service.spec.cluster, service.spec.service
    try:
        live = await EcsServices(aws).get(cluster, name)
        checks.append(deployment_check(live, f"{cluster}/{name}", latest, secret.created))
    except AwsError as exc:
        checks.append(failed("deployment", str(exc), PERMISSIONS))
    return checks
