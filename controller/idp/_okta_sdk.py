"""The official Okta SDK, opened with only the APIs the adapter uses.

``okta.client.Client`` imports every API and model of the SDK (seconds on a small
machine), so this builds the same request executor over the five API classes needed,
imported only when an Okta provider is first used. Rate limits are the SDK's: it retries
a 429 after ``X-Rate-Limit-Reset`` (``rateLimit.maxRetries``); the HTTP client given to
it adds the other half, waiting for the reset before a request once a response said
``X-Rate-Limit-Remaining: 0``, so a burst does not spend the org's whole budget on 429s.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter

from controller.idp._types import IdpError, IdpNotFound, IdpRejected, IdpUnavailable

# The SDK's own default is 2; a 429 storm at one org should be waited out, not failed.
MAX_RETRIES = 4
REQUEST_TIMEOUT_SECONDS = 30
# Never wait longer than this for a reset the server announced (a clock gone wrong).
LONGEST_RESET_WAIT_SECONDS = 60.0


# What a service app must be granted for the calls the adapter makes.
MANAGEMENT_SCOPES = ("okta.apps.manage", "okta.authorizationServers.manage")
# Renew the service app's access token this many minutes before it expires.
TOKEN_RENEWAL_MINUTES = 5


@dataclass(frozen=True)
class ApiToken:
    value: str = field(repr=False)


@dataclass(frozen=True)
class ServiceApp:
    """An OAuth service app: the SDK signs a private_key_jwt assertion with the key and
    asks the org authorization server for a token of :data:`MANAGEMENT_SCOPES`."""

    client_id: str
    private_key: str = field(repr=False)
    key_id: str | None = None


OktaCredentials = ApiToken | ServiceApp
CredentialSource = Callable[[], Awaitable[OktaCredentials]]


class OrgLimiter(AsyncLimiter):
    """At most ``per_second`` management calls to one org, shared by every provider of
    that org: Okta counts its rate limits per org, not per caller. A bucket of one spaces
    calls evenly (no burst), so a resync of many clients spreads over time instead of
    running into 429s."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        super().__init__(1, self.interval)


class RateGate:
    """When the org's budget for the next call is spent, and until when; and the org's
    own pace, when the controller sets one."""

    def __init__(self, limiter: OrgLimiter | None = None) -> None:
        self.reset_at = 0.0
        self.limiter = limiter

    def saw(self, headers: Any) -> None:
        remaining, reset = headers.get("X-Rate-Limit-Remaining"), headers.get("X-Rate-Limit-Reset")
        if remaining is not None and reset is not None and remaining.strip() == "0":
            try:
                self.reset_at = max(self.reset_at, float(reset))
            except ValueError:
                return

    async def wait(self) -> None:
        delay = min(self.reset_at - time.time(), LONGEST_RESET_WAIT_SECONDS)
        if delay > 0:
            await asyncio.sleep(delay)
        if self.limiter is not None:
            await self.limiter.acquire()


def open_apis(
    org_url: str, credentials: OktaCredentials, session: aiohttp.ClientSession, gate: RateGate
) -> Any:
    """The SDK's application, client secret, scope, policy and rule APIs, authorised by
    an API token."""
    from okta.api.application_api import ApplicationApi
    from okta.api.application_sso_public_keys_api import ApplicationSSOPublicKeysApi
    from okta.api.authorization_server_policies_api import AuthorizationServerPoliciesApi
    from okta.api.authorization_server_rules_api import AuthorizationServerRulesApi
    from okta.api.authorization_server_scopes_api import AuthorizationServerScopesApi
    from okta.cache.no_op_cache import NoOpCache
    from okta.config.config_setter import ConfigSetter
    from okta.config.config_validator import ConfigValidator
    from okta.http_client import HTTPClient
    from okta.request_executor import RequestExecutor

    class GatedHttpClient(HTTPClient):  # type: ignore[misc]
        async def send_request(self, request: dict[str, Any]) -> Any:
            await gate.wait()
            answer = await super().send_request(request)
            if answer[1] is not None:
                gate.saw(answer[1].headers)
            return answer

    class Apis(
        ApplicationApi,  # type: ignore[misc]
        ApplicationSSOPublicKeysApi,  # type: ignore[misc]
        AuthorizationServerScopesApi,  # type: ignore[misc]
        AuthorizationServerPoliciesApi,  # type: ignore[misc]
        AuthorizationServerRulesApi,  # type: ignore[misc]
    ):
        pass

    client: dict[str, Any]
    if isinstance(credentials, ApiToken):
        client = {"authorizationMode": "SSWS", "token": credentials.value}
    else:
        client = {
            "authorizationMode": "PrivateKey",
            "clientId": credentials.client_id,
            "privateKey": credentials.private_key,
            "scopes": list(MANAGEMENT_SCOPES),
            "oauthTokenRenewalOffset": TOKEN_RENEWAL_MINUTES,
        }
        if credentials.key_id is not None:
            client["kid"] = credentials.key_id
    setter = ConfigSetter()
    setter._apply_config(
        {
            "client": {
                **client,
                "orgUrl": org_url,
                "rateLimit": {"maxRetries": MAX_RETRIES},
                "requestTimeout": REQUEST_TIMEOUT_SECONDS,
                "cache": {"enabled": False},
                "logging": {"enabled": False},
            },
            # plain http is refused by the desired state except on loopback
            "testing": {"testingDisableHttpsCheck": org_url.startswith("http://")},
        }
    )
    config = setter._prune_config(setter.get_config())
    ConfigValidator(config)
    apis = Apis(configuration=config)
    if isinstance(credentials, ApiToken):
        # The generated APIs write the header as mode + token ("SSWS00ab..."), over the
        # executor's documented "SSWS 00ab...": give the mode its separator.
        apis.configuration.authorization_mode = "SSWS "
    executor = RequestExecutor(config, NoOpCache(), GatedHttpClient)
    executor.set_session(session)
    apis._request_executor = executor
    return apis


def next_cursor(answer: tuple[Any, ...]) -> str | None:
    """The ``after`` cursor of the next page an SDK answer's ``Link`` header names."""
    from okta.pagination import PaginationHelper

    response = answer[-2] if len(answer) >= 2 else None
    headers = getattr(response, "headers", None)
    if answer[-1] is not None or headers is None:
        return None
    cursor = PaginationHelper.extract_next_cursor(headers)
    return str(cursor) if cursor else None


def plain(model: Any) -> Any:
    """An SDK model (or list of them) as the JSON the server sent, enums as strings."""
    if model is None:
        return None
    if isinstance(model, list):
        return [plain(item) for item in model]
    # to_json cannot write the datetimes its own models hold,
    # and to_dict drops the read-only fields (ids among them) a reader needs
    return json.loads(model.model_dump_json(by_alias=True, exclude_none=True))


def check(operation: str, answer: tuple[Any, ...]) -> Any:
    """The data of an SDK answer ``(data, response, error)``, or the IdpError it means.
    Messages carry Okta's error code and summary, never a request header or body."""
    data, response, error = answer[0], answer[-2], answer[-1]
    if error is None:
        return data
    status = getattr(error, "status", None) or getattr(response, "status", None)
    code = getattr(error, "error_code", None)
    summary = getattr(error, "error_summary", "") or type(error).__name__
    message = f"okta {operation}: HTTP {status} {code or ''} {summary}".replace("  ", " ")
    cls: type[IdpError]
    if status is None or status == 429 or status >= 500:
        cls = IdpUnavailable
    elif status == 404:
        cls = IdpNotFound
    else:
        cls = IdpRejected
    raise cls(message.strip(), status=status, error=code)
