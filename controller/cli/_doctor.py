"""``ecs-oauth doctor SERVICE``: walks the chain a task of the service depends on (secret,
token, scopes, clock, task definition, task role, deployment) and prints one verdict per
link, with what to do for each broken one. Exit 0 when every link holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from controller.cli._common import add_output, add_service_command, load_inputs
from controller.cli._style import PLAIN, Style, style_for
from controller.desired import DesiredState, Service, format_duration

if TYPE_CHECKING:
    from controller.aws import AwsClients
    from controller.cli._doctor_checks import Check, Remedy
    from controller.cli._task_view import ServiceSecret

AFTER_TOKEN = ("scopes", "clock")
REVISION_CHECKS = ("task-definition", "task-role")
VERDICTS = (("PASS", "passed"), ("FAIL", "failed"), ("SKIP", "skipped"))
DETECT_NOTE = "{key} is in detect mode: the controller reports what is wrong and corrects nothing"


def register(commands: Any) -> None:
    parser = add_service_command(commands, "doctor", "check the chain a service's tasks depend on")
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from controller.cli._doctor_checks import Remedy
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
    remedy = Remedy(args.service, detect=(service.spec.mode or settings.mode) == "detect")
    checks = asyncio.run(diagnose(state, service, settings.region, remedy))
    if args.output == "json":
        print(json.dumps(report_document(args.service, remedy, checks), indent=2))
    else:
        print(render_report(args.service, remedy, checks, style_for(sys.stdout)))
    return 0 if all(check.passed for check in checks) else 1


def render_report(service: str, remedy: Remedy, checks: list[Check], style: Style = PLAIN) -> str:
    """One line per check (its fix indented below), the tally last; PASS green, FAIL red."""
    paint = {"PASS": style.good, "FAIL": style.bad, "SKIP": style.warn}
    lines = [DETECT_NOTE.format(key=f"Service/{service}")] if remedy.detect else []
    for check in checks:
        verdict = paint[check.status](f"{check.status:<4}")
        lines.append(f"{verdict}  {check.name:<15}  {check.detail}")
        if check.fix:
            lines.append(f"{'':<4}  {'':<15}  fix: {check.fix}")
    counts = Counter(check.status for check in checks)
    tally = ", ".join(f"{counts[status]} {word}" for status, word in VERDICTS if counts[status])
    lines.append(f"{len(checks)} checks: {tally}")
    return "\n".join(lines)


def report_document(service: str, remedy: Remedy, checks: list[Check]) -> dict[str, Any]:
    """``-o json``: every check with its status, detail and fix; the tally by verdict."""
    counts = Counter(check.status for check in checks)
    return {
        "service": service,
        "mode": "detect" if remedy.detect else "enforce",
        "ok": all(check.passed for check in checks),
        "checks": [
            {"name": c.name, "status": c.status, "detail": c.detail, "fix": c.fix or None}
            for c in checks
        ],
        "summary": {word: counts[status] for status, word in VERDICTS},
    }


async def diagnose(
    state: DesiredState, service: Service, region: str | None, remedy: Remedy
) -> list[Check]:
    from controller.cli._doctor_checks import failed, passed, skipped, utc_text
    from controller.cli._task_view import NotReady, open_aws, read_secret

    name = service.metadata.name
    async with open_aws(region) as aws:
        try:
            secret = await read_secret(aws, name)
            secret.task_environment()  # every key a task needs is there
        except NotReady as exc:
            later = ("token", *AFTER_TOKEN, *REVISION_CHECKS, "deployment")
            broken = failed("secret", exc.problem, remedy.fix(exc.fix))
            return [broken, *skipped(later, "the secret")]
        created = f", created {utc_text(secret.created)}" if secret.created else ""
        checks = [
            passed(
                "secret",
                f"{secret.name} readable at AWSCURRENT with every key a task needs "
                f"(version {secret.version_id[:8]}{created})",
            ),
            *await _token_checks(state, service, secret, remedy),
        ]
        checks += await _ecs_checks(aws, service, secret, remedy)
    return checks


async def _token_checks(
    state: DesiredState, service: Service, secret: ServiceSecret, remedy: Remedy
) -> list[Check]:
    from ecs_oauth_client import (
        CredentialsRejected,
        TokenClient,
        TokenEndpointUnavailable,
        TokenRequestRejected,
        granted_scopes,
        unverified_claims,
    )

    from controller.cli._doctor_checks import clock_check, failed, passed, scopes_check, skipped

    try:
        token = await TokenClient.from_env(secret.task_environment()).token()
    except CredentialsRejected as exc:
        fix = "run ecs-oauth apply: it re-creates a client the IdP lost, with new credentials"
        return [failed("token", str(exc), remedy.fix(fix)), *skipped(AFTER_TOKEN, "a token")]
    except TokenRequestRejected as exc:
        fix = "run ecs-oauth apply: it resets the client's grant types and scopes"
        return [failed("token", str(exc), remedy.fix(fix)), *skipped(AFTER_TOKEN, "a token")]
    except TokenEndpointUnavailable as exc:
        fix = "check that the IdP is up and its token endpoint reachable from the tasks"
        return [failed("token", str(exc), fix), *skipped(AFTER_TOKEN, "a token")]
    lifetime = format_duration(timedelta(seconds=round(token.lifetime)))
    endpoint = secret.value["token_endpoint"]
    claims = unverified_claims(token.access_token) or {}
    role = service.spec.role
    granted = granted_scopes(claims) or token.scopes
    return [
        passed("token", f"a {token.token_type} token from {endpoint}, valid for {lifetime}"),
        scopes_check(granted, role, state.role_scopes(role), remedy),
        clock_check(token.clock_skew),
    ]


async def _ecs_checks(
    aws: AwsClients, service: Service, secret: ServiceSecret, remedy: Remedy
) -> list[Check]:
    """The latest revision injects the secret and runs as the Role's task role; the running
    deployment is younger than the secret's current version and never told to roll onto a
    revision that failed those checks. An AWS failure fails its own check only."""
    from controller.aws import AwsError, EcsServices, TaskDefinitions
    from controller.cli._doctor_checks import (
        deployment_check,
        failed,
        task_definition_check,
        task_role_check,
    )
    from controller.cli._task_view import PERMISSIONS

    reference = service.spec.task_definition
    definitions = TaskDefinitions(aws)
    latest = None
    try:
        latest = await definitions.latest_arn(reference.family)
        definition = (await definitions.describe(latest))["taskDefinition"] if latest else {}
        role_arn = await _task_role_arn(aws, service.spec.role)
        checks = [
            task_definition_check(
                latest,
                {"family": reference.family, **definition},
                reference.container,
                secret.arn,
                secret.value,
                remedy,
            ),
            task_role_check(latest, definition, service.spec.role, role_arn, remedy),
        ]
    except AwsError as exc:
        checks = [failed(name, str(exc), PERMISSIONS) for name in REVISION_CHECKS]
    if service.spec.service is None:
        return checks
    unfit = " and ".join(check.name for check in checks if check.status == "FAIL")
    cluster, name = service.spec.cluster, service.spec.service
    try:
        live = await EcsServices(aws).get(cluster, name)
        checks.append(
            deployment_check(
                live, f"{cluster}/{name}", latest, secret.created, unfit=unfit, remedy=remedy
            )
        )
    except AwsError as exc:
        checks.append(failed("deployment", str(exc), PERMISSIONS))
    return checks


async def _task_role_arn(aws: AwsClients, role: str) -> str | None:
    """The ARN of the Role's IAM role, None when IAM has none of that name."""
    from controller.aws import AwsNotFound, call
    from controller.plan._desired import task_role_name

    try:
        found = await call(aws.client("iam"), "GetRole", RoleName=task_role_name(role))
    except AwsNotFound:
        return None
    return str(found["Role"]["Arn"])
