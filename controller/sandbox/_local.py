"""The sandbox's whole local world: AWS (moto, in this process), an OAuth server, a local
Okta org per Okta provider, the seeding
a platform team would have done, and a working copy of the desired state pointed at them.

Everything the controller and the task view reach goes through the standard AWS
variables, which this module sets for the process: fixed fake credentials, a Region, and
``AWS_ENDPOINT_URL`` at the local moto. Any variable or file that could point an SDK at a
real account (profiles, config files, per-service endpoints) is switched off first, so the
sandbox cannot touch one by accident.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

import controller
from controller.desired import DesiredState, load
from controller.sandbox._seed import ClientFactory, Seeded, platform_of, seed
from controller.sandbox._workcopy import (
    LocalIdentity,
    okta_token_variables,
    token_variables,
    write_working_copy,
)
from controller.sandbox.authserver import RunningAuthorizationServer, start_authorization_server
from controller.sandbox.motoserver import RunningMoto, start_in_process
from controller.sandbox.okta import RunningOkta

REGION = "us-east-1"
_FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "sandbox",
    "AWS_SECRET_ACCESS_KEY": "sandbox",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
_REAL_AWS = ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN")


def default_desired_state() -> Path | None:
    """The examples: beside the package in a checkout, or installed with it from a wheel."""
    for candidate in (
        Path(controller.__file__).resolve().parent.parent / "examples",
        Path(sys.prefix) / "share" / "ecs-oauth" / "examples",
    ):
        if candidate.is_dir():
            return candidate
    return None


def _forget_real_aws() -> None:
    """Leave this process only the sandbox's fake credentials and Region."""
    for name in list(os.environ):
        if name in _REAL_AWS or name.startswith("AWS_ENDPOINT_URL_"):
            del os.environ[name]
    os.environ.pop("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", None)
    os.environ.update(_FAKE_AWS)


def aws_clients(url: str) -> ClientFactory:
    """boto3 clients for the AWS at ``url``, with the sandbox's fake credentials."""

    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=url,
            region_name=REGION,
            aws_access_key_id=_FAKE_AWS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=_FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
        )

    return client


@dataclass
class LocalWorld:
    """A running sandbox world; :meth:`stop` shuts its servers down."""

    source: Path
    state: DesiredState
    desired: Path
    working: DesiredState
    """The working copy, loaded: the objects with their local identity providers."""
    seeded: Seeded
    moto: RunningMoto
    authserver: RunningAuthorizationServer
    okta_orgs: dict[str, RunningOkta] = field(default_factory=dict)
    """Okta provider name -> its local org; every org takes the same API token."""

    @property
    def aws_url(self) -> str:
        return self.moto.url

    def client(self, service: str) -> Any:
        """A boto3 client for the sandbox's AWS."""
        return aws_clients(self.moto.url)(service)

    def environment(self) -> dict[str, str]:
        """What a process needs to work in this world as the sandbox does: its AWS (fake
        credentials, Region, endpoint), the initial access token of its OIDC providers and
        the API token of its Okta orgs."""
        token = self.authserver.initial_access_token
        orgs = list(self.okta_orgs.values())
        okta_token = orgs[0].org.api_token if orgs else ""
        return {
            **_FAKE_AWS,
            "AWS_ENDPOINT_URL": self.moto.url,
            **{variable: token for variable in sorted(token_variables(self.working))},
            **{variable: okta_token for variable in sorted(okta_token_variables(self.working))},
        }

    def stop(self) -> None:
        for org in self.okta_orgs.values():
            org.stop()
        self.authserver.stop()
        self.moto.stop()


def start_local_world(source: Path, state: DesiredState, folder: Path) -> LocalWorld:
    """Serve, seed and write the working copy of ``source`` (already loaded as ``state``)
    into ``folder``/desired."""
    platform = platform_of(state)
    _forget_real_aws()  # before moto is imported: it reads the environment too
    if platform.account:
        # moto plays the account the desired state's ARNs name (default 123456789012).
        os.environ["MOTO_ACCOUNT_ID"] = platform.account
    moto = start_in_process()
    os.environ["AWS_ENDPOINT_URL"] = moto.url
    authserver = None
    okta: dict[str, RunningOkta] = {}
    try:
        seeded = seed(aws_clients(moto.url), platform)
        authserver = start_authorization_server()
        for variable in token_variables(state):
            os.environ[variable] = authserver.initial_access_token
        okta = _start_okta_orgs(state)
        orgs = {name: (org.org_url, org.org.server_id) for name, org in okta.items()}
        local = LocalIdentity(moto.url, seeded.user_pool_ids, authserver.issuer, orgs)
        desired = write_working_copy(source, state, local, folder / "desired")
        working = load(desired)
    except BaseException:
        for org in okta.values():
            org.stop()
        if authserver is not None:
            authserver.stop()
        moto.stop()
        raise
    return LocalWorld(source, state, desired, working, seeded, moto, authserver, okta)


def _start_okta_orgs(state: DesiredState) -> dict[str, RunningOkta]:
    """One local org per Okta provider, all with one API token, which the variables every
    provider reads it from are set to (two providers may name the same variable)."""
    token = "00" + secrets.token_urlsafe(30)
    orgs: dict[str, RunningOkta] = {}
    try:
        for name in sorted(state.providers):
            if state.providers[name].spec.okta is not None:
                orgs[name] = RunningOkta(api_token=token)
    except BaseException:
        for org in orgs.values():
            org.stop()
        raise
    for variable in okta_token_variables(state):
        os.environ[variable] = token
    return orgs


def enforced(state: DesiredState, services: list[str]) -> DesiredState:
    """``state`` with only ``services`` among its Services, each in enforce mode.

    A Service in detect mode never creates anything, so its team must have applied it once
    before switching to detect; the sandbox does that first with this state.
    """
    chosen = {}
    for name in services:
        service = state.services[name]
        spec = service.spec.model_copy(update={"mode": "enforce"})
        chosen[name] = service.model_copy(update={"spec": spec})
    return dataclasses.replace(state, services=chosen)
