"""Every controller setting, its default and its type: ``helm-style-config/values.yaml`` mirrors
this model (a test keeps the two equal)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from controller.config._git import Source
from controller.desired._kinds import FromEnvOrSecret
from controller.desired._redact import shown
from controller.desired._types import Duration
from controller.tenancy import Tenancy
from controller.tenancy._model import Glob

CONTROLLER_ID = r"^[A-Za-z0-9_.:/=+@-]{1,128}$"
STATUS_URL = r"^https?://\S+$"
_LISTEN_EXAMPLES = "'127.0.0.1:8080', '0.0.0.0:8080' or '[::1]:8080' (port 0 picks a free one)"


def _host_port(value: object) -> object:
    """``host:port``, as the daemon binds it: said with examples here rather than as a
    failed bind (or a port of 'localhost') when the daemon starts."""
    if isinstance(value, str):
        host, colon, port = value.rpartition(":")
        if colon and host.strip("[]") and port.isdigit() and int(port) <= 65535:
            return value
    raise ValueError(f"expected host:port, such as {_LISTEN_EXAMPLES}; got {shown(value)}")


Listen = Annotated[str, BeforeValidator(_host_port)]


class _Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, alias_generator=to_camel, populate_by_name=True
    )


class Http(_Section):
    listen: Listen = "127.0.0.1:8080"
    auth_token: FromEnvOrSecret | None = None


class SlackAlerts(_Section):
    webhook_url: FromEnvOrSecret | None = None


class WebhookAlerts(_Section):
    url: FromEnvOrSecret | None = None


class Alerts(_Section):
    slack: SlackAlerts = SlackAlerts()
    webhook: WebhookAlerts = WebhookAlerts()
    # Shown in every message, so a shared channel tells staging from production.
    environment: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    # A link in every message to where people look next (the status page, a dashboard).
    status_url: Annotated[str, Field(pattern=STATUS_URL, max_length=2000)] | None = None
    # Per target; what comes on top is folded into one "and K more incidents" message.
    max_messages_per_minute: Annotated[int, Field(ge=1, le=600)] = 20


class Prune(_Section):
    enabled: bool = False
    max_fraction: Annotated[float, Field(ge=0, le=1)] = 0.1
    # Up to this many objects' resources may be pruned at once whatever the fraction, so
    # one removal in a small tree needs no --force.
    min_count: Annotated[int, Field(ge=0)] = 1


class LeaderElection(_Section):
    table: str | None = None
    lease_duration: Duration = Field(default="15s", validate_default=True)


class Limits(_Section):
    ecs_task_definition_writes_per_second: Annotated[float, Field(gt=0)] = 1.0
    ecs_task_definition_burst: Annotated[int, Field(ge=1)] = 20
    cognito_requests_per_second_per_pool: Annotated[float, Field(gt=0)] = 5.0
    # Management calls per second to one Okta org, all its providers together: half of
    # the smallest documented per-minute bucket the calls mostly fall in (apps by id,
    # 600/min on Enterprise), the share Okta lets one API token use by default.
    okta_requests_per_second_per_org: Annotated[float, Field(gt=0)] = 5.0
    # The fraction of each AWS read quota the resync's deep verifications may use.
    read_budget: Annotated[float, Field(gt=0, le=1)] = 0.2


class Events(_Section):
    # An SQS queue fed by an EventBridge rule with CloudTrail API calls: the objects a call
    # touched are reconciled within seconds, and the resync becomes a safety net.
    queue_url: str | None = None


class Iam(_Section):
    # Globs of the managed policies a Role may attach. Default: none; the platform lists
    # what it permits, so no YAML can attach AdministratorAccess.
    allowed_managed_policy_arns: list[Glob] = []


class Settings(_Section):
    controller_id: Annotated[str, Field(pattern=CONTROLLER_ID)] = "default"
    region: str | None = None
    mode: Literal["enforce", "detect"] = "enforce"
    resync_interval: Duration = Field(default="5m", validate_default=True)
    # Every object is read in depth at least this often, even when no batch read shows a
    # change; 0s reads every object in depth at every resync.
    verify_interval: Duration = Field(default="1d", validate_default=True)
    reconcile_timeout: Duration = Field(default="2m", validate_default=True)
    concurrency: Annotated[int, Field(ge=1, le=64)] = 8
    http: Http = Http()
    alerts: Alerts = Alerts()
    prune: Prune = Prune()
    leader_election: LeaderElection = LeaderElection()
    events: Events = Events()
    limits: Limits = Limits()
    iam: Iam = Iam()
    tenancy: Tenancy = Tenancy()
    source: Source = Source()
