"""``ecs-oauth token SERVICE``: the claims of a token obtained exactly as the service's
tasks obtain theirs (the task client, fed the secret's values), never the token itself
or the secret."""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from controller.cli._common import (
    add_output,
    add_service_command,
    fail,
    load_inputs,
    print_json,
)
from controller.desired import DesiredState, format_duration

if TYPE_CHECKING:
    from ecs_oauth_client import Token

SHOWN_CLAIMS = ("iss", "sub", "client_id", "aud", "scope", "scp", "token_use", "iat", "exp")
TIME_CLAIMS = ("iat", "exp", "nbf", "auth_time")


def register(commands: Any) -> None:
    parser = add_service_command(
        commands, "token", "show the claims of a token obtained as the service's tasks would"
    )
    add_output(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # The AWS stack and the HTTP client load only here, not for every command.
    from ecs_oauth_client import TokenError

    from controller.cli._task_view import NotReady

    inputs = load_inputs(args)
    if inputs is None:
        return 1
    state, settings = inputs
    try:
        token = asyncio.run(_obtain(args, state, settings.region))
    except (NotReady, TokenError) as exc:
        return fail(args, str(exc))
    if args.output == "json":
        print_json(as_json(args.service, token))
    else:
        print(render(args.service, token))
    return 0


async def _obtain(args: argparse.Namespace, state: DesiredState, region: str | None) -> Token:
    from ecs_oauth_client import TokenClient

    from controller.cli._task_view import find_service, open_aws, read_secret

    find_service(state, args.service, args.path)
    async with open_aws(region) as aws:
        secret = await read_secret(aws, args.service)
    return await TokenClient.from_env(secret.task_environment()).token()


def render(service: str, token: Token) -> str:
    from ecs_oauth_client import unverified_claims

    expires_in = format_duration(timedelta(seconds=round(token.expires_in(time.monotonic()))))
    claims = unverified_claims(token.access_token)
    if claims is None:
        return "\n".join(
            [
                f"Service/{service}: an opaque {token.token_type} token (not a JWT)",
                f"  scope      {' '.join(token.scopes)}",
                f"  expires    in {expires_in}",
            ]
        )
    lines = [f"Service/{service}: a {token.token_type} token's claims (signature not verified)"]
    for name in SHOWN_CLAIMS:
        if name in claims:
            shown = _claim(name, claims[name])
            if name == "exp":
                shown += f" (expires in {expires_in})"
            lines.append(f"  {name:<10} {shown}")
    return "\n".join(lines)


def as_json(service: str, token: Token) -> dict[str, Any]:
    """The same view for machines: the shown claims as issued (times as epoch seconds),
    never the token itself."""
    from ecs_oauth_client import unverified_claims

    claims = unverified_claims(token.access_token)
    return {
        "object": f"Service/{service}",
        "tokenType": token.token_type,
        "jwt": claims is not None,
        "signatureVerified": False,
        "scopes": list(token.scopes),
        "expiresInSeconds": round(token.expires_in(time.monotonic())),
        "claims": {name: claims[name] for name in SHOWN_CLAIMS if name in claims}
        if claims is not None
        else {},
    }


def _claim(name: str, value: Any) -> str:
    if name in TIME_CLAIMS and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value)
