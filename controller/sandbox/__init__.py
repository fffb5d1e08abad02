"""The embedded sandbox: the product running on one machine with no AWS account and no
network, and the local peers the tests share with it.

``ecs-oauth sandbox`` (``controller.cli._sandbox``) assembles these parts: a local world
(moto in this process with the Cognito calls and token endpoint it lacks, the authlib
authorization server, a local Okta org per Okta provider (``controller.sandbox.okta``, the
tests' Okta peer too), the seeding a platform team would have done, a working copy of
the desired state pointed at them), the daemon running on it, and what a person wants to see
(progress, a task's view with its token, drift to cause by hand, alerts). The servers are
also runnable alone: ``python -m controller.sandbox.motoserver`` and
``python -m controller.sandbox.authserver``; ``python -m controller.sandbox.aws`` makes
the printed drift calls on machines without the aws CLI.

Nothing in the product imports this package (an import-linter contract says so); only
the command line does, lazily, for the ``sandbox`` command.
"""

from controller.sandbox._alerts import ALERTS_VARIABLE, AlertReceiver, render_alert
from controller.sandbox._drift import DriftCommand, prepare_drift, swapped_role_request
from controller.sandbox._local import (
    LocalWorld,
    default_desired_state,
    enforced,
    start_local_world,
)
from controller.sandbox._present import (
    banner,
    drift_lines,
    services_in_mode,
    task_view_lines,
)
from controller.sandbox._progress import all_ready, daemon_event_line, transitions
from controller.sandbox._seed import Platform, Workload, platform_of, seed
from controller.sandbox._taskview import (
    TaskView,
    TaskViewError,
    render_task_view,
    task_environment,
    task_view,
)
from controller.sandbox._workcopy import (
    DCR_TOKEN_VARIABLE,
    OKTA_TOKEN_VARIABLE,
    LocalIdentity,
    local_provider,
    write_working_copy,
)

__all__ = [
    "ALERTS_VARIABLE",
    "DCR_TOKEN_VARIABLE",
    "OKTA_TOKEN_VARIABLE",
    "AlertReceiver",
    "DriftCommand",
    "LocalIdentity",
    "LocalWorld",
    "Platform",
    "TaskView",
    "TaskViewError",
    "Workload",
    "all_ready",
    "banner",
    "daemon_event_line",
    "default_desired_state",
    "drift_lines",
    "enforced",
    "local_provider",
    "platform_of",
    "prepare_drift",
    "render_alert",
    "render_task_view",
    "seed",
    "services_in_mode",
    "start_local_world",
    "swapped_role_request",
    "task_environment",
    "task_view",
    "task_view_lines",
    "transitions",
    "write_working_copy",
]
