"""Settings that are valid on their own but unsafe where they would run. Pure: the
environment is passed in."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from controller.config._settings import Settings
from controller.desired import ambiguous_authority, is_loopback_host

DEFAULT_CONTROLLER_ID = "default"
ENDPOINT = "AWS_ENDPOINT_URL"


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` names a loopback host: ``localhost`` (or a name under it), 127.0.0.0/8,
    ``::1``; never a URL whose host parsers disagree on."""
    url = url.strip()
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not host or ambiguous_authority(url):
        return False
    host = host.rstrip(".").lower()
    return host.endswith(".localhost") or is_loopback_host(host)


def aws_is_local(environ: Mapping[str, str]) -> bool:
    """Whether every AWS call goes to a loopback endpoint: ``AWS_ENDPOINT_URL`` is set and
    loopback (it covers every service without its own variable), and so is each
    ``AWS_ENDPOINT_URL_<SERVICE>`` that is set."""
    if environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true":
        return False
    endpoints = {
        name: value
        for name, value in environ.items()
        if (name == ENDPOINT or name.startswith(ENDPOINT + "_")) and value.strip()
    }
    return ENDPOINT in endpoints and all(is_loopback_url(url) for url in endpoints.values())


def default_id_refusal(settings: Settings, environ: Mapping[str, str]) -> str | None:
    """Why these settings must not converge real AWS, as one line; None when they may.

    Two deployments that both kept ``controllerId: default`` would each take the other's
    resources for their own: the default is only for a local endpoint (the sandbox, tests).
    """
    if settings.controller_id != DEFAULT_CONTROLLER_ID or aws_is_local(environ):
        return None
    return (
        "error: controllerId is 'default' and AWS is not a local endpoint: two deployments "
        "that both keep the default claim each other's resources; give this one a unique "
        "id with --set controllerId=NAME or controllerId: NAME in a --values file"
    )
