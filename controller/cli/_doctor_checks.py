"""The verdicts of ``ecs-oauth doctor``, one pure function per link of the chain a task
depends on. Each takes what was read and says PASS or FAIL, and on FAIL what to do.

What to do depends on the Service's mode: ``apply`` corrects an enforce-mode Service but
writes nothing for one in detect mode (:class:`Remedy`). And no fix rolls a service onto
a revision that fails a check itself: that would trade one broken link for another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ecs_oauth_client import ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_SCOPE, ENV_TOKEN_ENDPOINT

from controller.cli._task_view import APPLY
from controller.plan._desired import observed_task_definition, task_role_name

MAX_CLOCK_SKEW = timedelta(seconds=60)


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # PASS, FAIL, or SKIP when a check it needs failed
    detail: str
    fix: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "PASS"


@dataclass(frozen=True)
class Remedy:
    """Fixes for one Service: ``apply`` where it writes, by hand in detect mode."""

    service: str = ""
    detect: bool = False

    def fix(self, text: str) -> str:
        """``text`` unless it says to apply and apply would change nothing here."""
        if not (self.detect and text.startswith(APPLY)):
            return text
        return (
            f"Service/{self.service} is in detect mode, so apply changes nothing for it: its "
            f"team corrects this by hand, or sets spec.mode: enforce and runs ecs-oauth apply"
        )


ENFORCE = Remedy()


def passed(name: str, detail: str) -> Check:
    return Check(name, "PASS", detail)


def failed(name: str, detail: str, fix: str) -> Check:
    return Check(name, "FAIL", detail, fix)


def skipped(names: Iterable[str], needs: str) -> list[Check]:
    return [Check(name, "SKIP", f"not checked: needs {needs}") for name in names]


def scopes_check(
    granted: Iterable[str], role: str, wanted: Iterable[str], remedy: Remedy = ENFORCE
) -> Check:
    have, want = sorted(set(granted)), sorted(set(wanted))
    if have == want:
        return passed("scopes", f"the token carries exactly Role/{role}'s scopes: {' '.join(want)}")
    notes = [
        f"{label} {' '.join(scopes)}"
        for label, scopes in (
            ("missing", sorted(set(want) - set(have))),
            ("extra", sorted(set(have) - set(want))),
        )
        if scopes
    ]
    return failed(
        "scopes",
        f"the token carries {' '.join(have) or '(none)'}; Role/{role} wants {' '.join(want)} "
        f"({', '.join(notes)})",
        remedy.fix(f"{APPLY}: it resets the client's scopes and the secret's scope"),
    )


def clock_check(skew: timedelta | None) -> Check:
    if skew is None:
        return failed(
            "clock",
            "the IdP's answer had no Date header: the clock skew is unknown",
            "compare this machine's clock with the IdP's by other means",
        )
    seconds = round(skew.total_seconds())
    limit = f"{MAX_CLOCK_SKEW.seconds} s"
    if seconds == 0:
        return passed("clock", f"the IdP's clock agrees with this machine's (limit {limit})")
    side = "ahead of" if seconds > 0 else "behind"
    detail = f"the IdP's clock is {abs(seconds)} s {side} this machine's"
    if abs(skew) < MAX_CLOCK_SKEW:
        return passed("clock", f"{detail} (limit {limit})")
    return failed(
        "clock",
        f"{detail}, over the {limit} limit",
        "synchronise the clocks (NTP): resource servers check exp and nbf with their own",
    )


def task_definition_check(
    arn: str | None,
    definition: dict[str, Any],
    container: str,
    secret_arn: str,
    value: dict[str, Any],
    remedy: Remedy = ENFORCE,
) -> Check:
    """The latest revision injects this secret's credentials and its endpoint and scope."""
    fix = remedy.fix(f"{APPLY}: it registers a revision with these fields corrected")
    if arn is None:
        return failed(
            "task-definition",
            f"family {definition.get('family')} has no ACTIVE revision",
            f"register one (the deploy pipeline does), then {APPLY}",
        )
    revision = arn.rsplit("/", 1)[-1]
    observed = observed_task_definition(definition, container)["containers"].get(container)
    if observed is None:
        return failed(
            "task-definition",
            f"{revision} has no container named {container}",
            "correct spec.taskDefinition.container, or the task definition",
        )
    wanted = {
        ENV_CLIENT_ID: f"{secret_arn}:client_id::",
        ENV_CLIENT_SECRET: f"{secret_arn}:client_secret::",
    }
    problems = _differences("secret", observed["secrets"], wanted)
    environment = {ENV_TOKEN_ENDPOINT: value["token_endpoint"], ENV_SCOPE: value["scope"]}
    problems += _differences("variable", observed["environment"], environment)
    if problems:
        return failed(
            "task-definition", f"{revision} container {container}: " + "; ".join(problems), fix
        )
    return passed(
        "task-definition",
        f"{revision} container {container} injects {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} "
        f"from the secret, with its token endpoint and scope",
    )


def task_role_check(
    arn: str | None, definition: dict[str, Any], role: str, role_arn: str | None, remedy: Remedy
) -> Check:
    """The latest revision runs as the IAM role of the Service's Role (``role_arn``, None
    when IAM has no such role): the task's AWS identity matches its OAuth one."""
    name = task_role_name(role)
    if arn is None:
        return Check("task-role", "SKIP", "not checked: needs an ACTIVE revision")
    if role_arn is None:
        return failed(
            "task-role",
            f"Role/{role}'s IAM role {name} does not exist",
            f"{APPLY}: it creates the role, then a revision that runs as it",
        )
    revision, actual = _revision(arn), definition.get("taskRoleArn")
    if actual != role_arn:
        return failed(
            "task-role",
            f"{revision} runs as {actual or 'no task role'}, not Role/{role}'s {role_arn}",
            remedy.fix(f"{APPLY}: it registers a revision that runs as {name}"),
        )
    return passed("task-role", f"{revision} runs as Role/{role}'s task role {role_arn}")


def deployment_check(
    ecs_service: dict[str, Any] | None,
    where: str,
    latest_arn: str | None,
    secret_created: datetime | None,
    *,
    unfit: str = "",
    remedy: Remedy = ENFORCE,
) -> Check:
    """Tasks read the secret when they start: the PRIMARY deployment (the tasks ECS keeps
    running) must run the latest revision, must not have failed, and must be younger than
    the AWSCURRENT version, or its tasks hold the credential that came before.

    ``unfit`` names the checks the latest revision failed: then no fix rolls onto it."""
    cluster, name = where.split("/", 1)
    if ecs_service is None:
        return failed(
            "deployment",
            f"ECS service {name} not found in cluster {cluster}",
            "create it, or correct spec.service and spec.cluster",
        )
    deployments: list[dict[str, Any]] = list(ecs_service.get("deployments") or [])
    primary: dict[str, Any] = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
    controller = (ecs_service.get("deploymentController") or {}).get("type") or "ECS"
    if not primary and controller != "ECS":
        return failed(
            "deployment",
            f"{name} is deployed by its {controller} deployment controller, which ECS does "
            "not report as deployments: which revision its tasks run cannot be told here",
            "check the service's task sets (or its CodeDeploy deployment) run "
            f"{_revision(latest_arn)}",
        )
    latest_failed = next(
        (
            d
            for d in deployments
            if d.get("rolloutState") == "FAILED" and d.get("taskDefinition") == latest_arn
        ),
        None,
    )
    if latest_failed is not None:
        reason = latest_failed.get("rolloutStateReason") or "rolloutState FAILED"
        return failed(
            "deployment",
            f"{name}'s deployment of {_revision(latest_arn)} failed ({reason})",
            "find why its tasks fail to start in the service's events, fix it, then register "
            f"a new revision; {APPLY} deploys it",
        )
    current = primary.get("taskDefinition") or ecs_service.get("taskDefinition")
    hold_back = f"do not roll {name} onto {_revision(latest_arn)}: it fails the {unfit} check "
    hold_back += "above; " + remedy.fix(
        f"{APPLY}: it registers a corrected revision and rolls the service onto it"
    )
    if latest_arn is not None and current != latest_arn:
        return failed(
            "deployment",
            f"{name} runs {_revision(current)}, not the latest revision {_revision(latest_arn)}",
            hold_back
            if unfit
            else remedy.fix(f"{APPLY}: it points the service at the latest revision"),
        )
    started = primary.get("createdAt")
    if not isinstance(started, datetime) or secret_created is None:
        return failed(
            "deployment",
            f"cannot tell when {name}'s deployment started or the secret's version was made",
            "check the service's deployments in the ECS console",
        )
    version = f"the secret's AWSCURRENT version ({utc_text(secret_created)})"
    if started < secret_created:
        return failed(
            "deployment",
            f"{name}'s deployment started {utc_text(started)}, before {version}: "
            "running tasks hold an older credential",
            hold_back
            if unfit
            else f"force a new deployment: aws ecs update-service --cluster {cluster} "
            f"--service {name} --force-new-deployment",
        )
    rollout = primary.get("rolloutState") or "PRIMARY"
    return passed(
        "deployment",
        f"{name}'s deployment ({rollout}) started {utc_text(started)}, not before {version}",
    )


def _differences(kind: str, observed: dict[str, str], wanted: dict[str, str]) -> list[str]:
    problems = []
    for name, expected in wanted.items():
        actual = observed.get(name)
        if actual is None:
            problems.append(f"{kind} {name} is missing")
        elif actual != expected:
            problems.append(f"{kind} {name} is {actual}, not {expected}")
    return problems


def _revision(arn: str | None) -> str:
    return str(arn).rsplit("/", 1)[-1]


def utc_text(moment: datetime) -> str:
    """UTC, to the second; AWS answers with zone-aware times."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
