"""The live world one engine run talks to: every adapter, opened once and shared."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType
from typing import Any, Self

import aiohttp

from controller.aws import (
    AwsClients,
    CallCounter,
    ConvergenceRecords,
    EcsServices,
    Iam,
    RateLimits,
    Secrets,
    TaskDefinitions,
    call,
)
from controller.desired import IdentityProvider
from controller.desired._kinds import FromEnvOrSecret, OktaProvider
from controller.idp import (
    ApiToken,
    CognitoAdapter,
    CognitoResourceServers,
    IdentityProviderAdapter,
    IdpRejected,
    InitialAccessToken,
    OidcAdapter,
    OktaAdapter,
    OktaCredentials,
    OrgLimiter,
    ServiceApp,
)


@dataclass(frozen=True)
class EngineSettings:
    controller_id: str = "default"
    mode: str = "enforce"
    concurrency: int = 8
    prune: bool = False
    prune_max_fraction: float = 0.1
    prune_min_count: int = 1
    force: bool = False
    limits: RateLimits = field(default_factory=RateLimits)
    region: str | None = None
    # Set on every role the controller creates; None leaves roles' boundaries as found.
    permissions_boundary_arn: str | None = None
    # At an IdP whose reads rotate the registration access token, how often an unchanged
    # client is read (each read writes a registration-secret version).
    rotating_token_read_interval: timedelta = timedelta(hours=1)
    # The lease table, where objects with no resource of their own to tag (identity
    # providers) keep their convergence record; None keeps none (drift then comes from
    # the daemon's memory alone).
    record_table: str | None = None


class World:
    """Adapters for AWS and every identity provider; the engine's only door to I/O."""

    def __init__(self, settings: EngineSettings, counter: CallCounter | None = None) -> None:
        self.settings = settings
        self.aws = AwsClients(
            region=settings.region,
            max_connections=max(settings.concurrency * 2, 10),
            limits=settings.limits,
            counter=counter,
        )
        self._stack = AsyncExitStack()
        self._idps: dict[str, tuple[IdentityProvider, IdentityProviderAdapter]] = {}
        self._resource_servers: dict[str, CognitoResourceServers] = {}
        self._okta_orgs: dict[str, OrgLimiter] = {}
        self.account_id = ""
        # Wraps each adapter made from here on (kind, adapter, where): see _reads.
        self.recorder: Callable[[str, Any, str], Any] | None = None
        self.http: aiohttp.ClientSession
        self.iam: Iam
        self.secrets: Secrets
        self.task_definitions: TaskDefinitions
        self.services: EcsServices
        self.records: ConvergenceRecords | None = None

    async def __aenter__(self) -> Self:
        try:
            return await self._open()
        except BaseException:
            await self._stack.aclose()
            raise

    async def _open(self) -> Self:
        await self._stack.enter_async_context(self.aws)
        self.http = await self._stack.enter_async_context(
            aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=30), trace_configs=[self._http_trace()]
            )
        )
        self.iam = Iam(self.aws)
        self.secrets = Secrets(self.aws)
        self.task_definitions = TaskDefinitions(self.aws)
        self.services = EcsServices(self.aws)
        if self.settings.record_table is not None:
            table, controller = self.settings.record_table, self.settings.controller_id
            self.records = ConvergenceRecords(self.aws, table, controller)
        identity = await call(self.aws.client("sts"), "GetCallerIdentity")
        self.account_id = identity["Account"]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stack.aclose()

    def _http_trace(self) -> aiohttp.TraceConfig:
        """IdP calls are counted next to AWS calls, by method and path shape."""
        trace = aiohttp.TraceConfig()

        async def on_request_start(
            _session: aiohttp.ClientSession,
            _context: object,
            params: aiohttp.TraceRequestStartParams,
        ) -> None:
            self.aws.counter.record("idp", params.method)

        trace.on_request_start.append(on_request_start)
        return trace

    def begin_cycle(self) -> None:
        """Drop batch reads so a cycle sees the world afresh (level-based, never cached state)."""
        self.iam.invalidate()
        self.secrets.invalidate()
        self.services.invalidate()
        self.forget_idp_reads()

    def forget_idp_reads(self) -> None:
        for _, adapter in self._idps.values():
            adapter.invalidate()

    def idp(self, provider: IdentityProvider) -> IdentityProviderAdapter:
        name = provider.metadata.name
        known = self._idps.get(name)
        if known is None or known[0] != provider:
            adapter = self._adapter(provider)
            if self.recorder is not None:
                adapter = self.recorder("idp", adapter, f"IdentityProvider/{name}")
            self._idps[name] = (provider, adapter)
        return self._idps[name][1]

    def resource_servers(self, user_pool_id: str) -> CognitoResourceServers:
        if user_pool_id not in self._resource_servers:
            servers = CognitoResourceServers(user_pool_id, self.aws)
            if self.recorder is not None:
                servers = self.recorder("resource_servers", servers, user_pool_id)
            self._resource_servers[user_pool_id] = servers
        return self._resource_servers[user_pool_id]

    def _adapter(self, provider: IdentityProvider) -> IdentityProviderAdapter:
        if provider.spec.cognito is not None:
            cognito = provider.spec.cognito
            return CognitoAdapter(cognito.user_pool_id, cognito.token_endpoint, self.aws)
        if provider.spec.okta is not None:
            okta = provider.spec.okta
            return OktaAdapter(
                okta.org_url,
                okta.authorization_server_id,
                self._okta_credentials(okta),
                self.http,
                self.aws.fence,
                self.okta_limiter(okta.org_url),
            )
        assert provider.spec.oidc is not None
        oidc = provider.spec.oidc
        token = self._token_source(oidc.initial_access_token)
        return OidcAdapter(oidc.issuer, token, self.http, self.aws.fence)

    def okta_limiter(self, org_url: str) -> OrgLimiter:
        """One pace per Okta org, shared by every provider on it: Okta counts per org."""
        org = org_url.rstrip("/").lower()
        if org not in self._okta_orgs:
            self._okta_orgs[org] = OrgLimiter(self.settings.limits.okta_per_org)
        return self._okta_orgs[org]

    def _okta_credentials(self, okta: OktaProvider) -> Callable[[], Awaitable[OktaCredentials]]:
        """The API token or the service app's private key, resolved when first used."""

        async def resolve() -> OktaCredentials:
            if okta.api_token is not None:
                return ApiToken(await self.resolve(okta.api_token, "Okta API token"))
            app = okta.service_app
            assert app is not None  # the model holds exactly one
            key = await self.resolve(app.private_key, "Okta service app private key")
            return ServiceApp(app.client_id, key, app.key_id)

        return resolve

    def _token_source(
        self, reference: FromEnvOrSecret, what: str = "initial access token"
    ) -> InitialAccessToken:
        """A credential, resolved at the moment of use and never stored."""

        async def resolve() -> str:
            return await self.resolve(reference, what)

        return resolve

    async def resolve(self, reference: FromEnvOrSecret, what: str) -> str:
        """A value kept out of the desired state and the settings: read from the environment
        or from a Secrets Manager secret (AWSCURRENT) each time it is needed."""
        if reference.from_env is not None:
            value = os.environ.get(reference.from_env)
            if not value:
                raise IdpRejected(f"{what}: environment variable {reference.from_env} is unset")
            return value
        response = await call(
            self.aws.client("secretsmanager"),
            "GetSecretValue",
            SecretId=reference.from_secret_arn,
            VersionStage="AWSCURRENT",
        )
        value = response["SecretString"].strip()
        return str(value)
