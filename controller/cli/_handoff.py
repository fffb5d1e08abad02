"""How a shell takes over from ``ecs-oauth sandbox``: the variables every command reads,
the env file the sandbox writes, and the one-line refusal when a command points the
sandbox's AWS at a desired state the sandbox never rewrote.

The variables are the whole contract. ``ECS_OAUTH_DESIRED`` is the default of ``-f``,
``ECS_OAUTH_VALUES`` (paths joined by ``os.pathsep``) comes before any ``--values``,
``ECS_OAUTH_URL`` is the default of ``status --url``, and ``ECS_OAUTH_SANDBOX`` names the
sandbox's AWS endpoint so a command can tell it is talking to one. Pure, but for writing
the file.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from controller.desired import DesiredState, IdentityProvider, is_loopback_host

DESIRED_VARIABLE = "ECS_OAUTH_DESIRED"
VALUES_VARIABLE = "ECS_OAUTH_VALUES"
URL_VARIABLE = "ECS_OAUTH_URL"
SANDBOX_VARIABLE = "ECS_OAUTH_SANDBOX"
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL"

NO_DESIRED_STATE = (
    f"error: no desired state: pass -f PATH (a file or a folder), or set {DESIRED_VARIABLE} "
    "(the env file `ecs-oauth sandbox` prints sets it)"
)
# Sourcing must not leave a way to a real account: these would outrank or redirect the
# sandbox's fake credentials and endpoint.
_REAL_AWS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
)
_PER_SERVICE_ENDPOINTS = (
    "for variable in $(env | sed -n 's/^\\(AWS_ENDPOINT_URL_[A-Za-z0-9_]*\\)=.*/\\1/p'); "
    'do unset "$variable"; done'
)


def desired_default(environ: Mapping[str, str]) -> Path | None:
    value = environ.get(DESIRED_VARIABLE, "").strip()
    return Path(value) if value else None


def values_default(environ: Mapping[str, str]) -> list[Path]:
    return [Path(part) for part in environ.get(VALUES_VARIABLE, "").split(os.pathsep) if part]


def handoff_variables(
    world: Mapping[str, str], *, desired: Path, values: Iterable[Path], url: str
) -> dict[str, str]:
    """The sandbox's world (its AWS variables and tokens), and what the commands default
    to: its working copy, its settings for the CLI, its daemon's URL."""
    return {
        **world,
        DESIRED_VARIABLE: str(desired),
        VALUES_VARIABLE: os.pathsep.join(str(path) for path in values),
        URL_VARIABLE: url,
        SANDBOX_VARIABLE: world[ENDPOINT_VARIABLE],
    }


def assignments_document(assignments: Iterable[str]) -> dict[str, Any]:
    """``--set a.b=c`` assignments (already validated) as the values document they mean,
    so a values file can carry them to other commands."""
    document: dict[str, Any] = {}
    for assignment in assignments:
        dotted, text = assignment.split("=", 1)
        *parents, last = dotted.split(".")
        cursor = document
        for key in parents:
            if not isinstance(cursor.get(key), dict):
                cursor[key] = {}  # a later --set a.b wins over an earlier --set a
            cursor = cursor[key]
        cursor[last] = yaml.safe_load(text) if text else ""
    return document


def write_cli_values(
    folder: Path, base: str, values: Iterable[Path], assignments: list[str]
) -> list[Path]:
    """The settings files for the other commands, in Helm's order: ``base`` (the sandbox's
    own), then the ``--values`` files and ``--set`` assignments the sandbox was given."""
    first = folder / "cli-values.yaml"
    first.write_text(base, encoding="utf-8")
    files = [first, *(path.resolve() for path in values)]
    if assignments:
        assigned = folder / "cli-set.yaml"
        text = yaml.safe_dump(assignments_document(assignments), sort_keys=False)
        assigned.write_text(f"# --set given to `ecs-oauth sandbox`\n{text}", encoding="utf-8")
        files.append(assigned)
    return files


def env_file_text(
    variables: Mapping[str, str], *, where: str, unset: Iterable[str] = _REAL_AWS
) -> str:
    """A POSIX shell file that exports ``variables`` (quoted) and unsets the variables
    that could point an SDK elsewhere; ``where`` names what the shell then talks to."""
    lines = [
        "# Written by `ecs-oauth sandbox`: `source` it and every ecs-oauth command (and the",
        f"# aws CLI) in this shell works against {where}, no -f or flags needed.",
        "# It holds the sandbox's initial access token: keep it to yourself (mode 0600).",
        "# Leave the shell (or open a new one) to get your own AWS settings back.",
        f"unset {' '.join(sorted(unset))}",
        _PER_SERVICE_ENDPOINTS,
    ]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
    return "\n".join(lines) + "\n"


def write_env_file(path: Path, text: str) -> None:
    """Owner-only from the first byte: the file holds a token."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def sandbox_mismatch(state: DesiredState, environ: Mapping[str, str]) -> str | None:
    """One line when AWS is the sandbox's and the desired state names identity providers
    the sandbox did not rewrite; None otherwise.

    The sandbox's working copy points every IdentityProvider at a local server. Any other
    copy (the original ``examples/``) names real hosts: the commands would look up their
    DNS and ask the sandbox's AWS for user pools it never had.
    """
    sandbox = environ.get(SANDBOX_VARIABLE, "").strip()
    endpoint = environ.get(ENDPOINT_VARIABLE, "").strip()
    if not sandbox or _origin(sandbox) != _origin(endpoint):
        return None
    foreign = []
    for name, provider in sorted(state.providers.items()):
        field, url, path = _endpoint(provider)
        if not _is_local(url):
            where = state.sources[f"IdentityProvider/{name}"].document.value_at(path)
            foreign.append(f"{field} {url} ({where}, IdentityProvider/{name})")
    if not foreign:
        return None
    more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
    working = environ.get(DESIRED_VARIABLE, "").strip()
    use = f"-f ${DESIRED_VARIABLE} ({working})" if working else "the sandbox's working copy"
    return (
        f"error: the desired state names {foreign[0]}{more}, but {ENDPOINT_VARIABLE} points "
        f"at the sandbox ({endpoint}), whose identity providers are local; use {use}"
    )


def _endpoint(provider: IdentityProvider) -> tuple[str, str, tuple[str, ...]]:
    """What the sandbox rewrites in a provider: the field, its value, where it is written."""
    oidc, cognito, okta = provider.spec.oidc, provider.spec.cognito, provider.spec.okta
    if oidc is not None:
        return "issuer", str(oidc.issuer), ("spec", "oidc", "issuer")
    if okta is not None:
        return "org URL", okta.org_url, ("spec", "okta", "orgUrl")
    assert cognito is not None  # a provider is exactly one of the three
    return "token endpoint", str(cognito.token_endpoint), ("spec", "cognito", "tokenEndpoint")


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return is_loopback_host(host.rstrip(".").lower())


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url.rstrip("/"))
    return parts.scheme.lower(), parts.netloc.lower()
