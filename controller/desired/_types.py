"""Field types shared by the desired-state kinds: names, durations, URLs, ARNs."""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, StringConstraints
from pydantic.json_schema import WithJsonSchema

from controller.desired._redact import shown

DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
# Scope names may also carry the separators scope strings use in the wild (orders.read,
# orders:read, orders/read), but never whitespace or the wildcard '*'.
SCOPE_NAME = r"^[a-z0-9]([-a-z0-9.:/]*[a-z0-9])?$"
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
# RFC 6749 section 3.3 scope-token characters.
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
DURATION_PATTERN = r"^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$"


def parse_duration(value: object) -> object:
    """Accept ``30d``, ``1h30m``, ``15m``, ``45s``: the form people write in YAML."""
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as '15m', '1h30m' or '30d', got {shown(value)}")
    match = _DURATION.match(value.strip())
    if not value.strip() or match is None:
        raise ValueError(f"{shown(value)} is not a duration; write it like '15m', '1h30m' or '30d'")
    try:
        days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except (OverflowError, ValueError):  # OverflowError would escape pydantic, and load()
        raise ValueError(f"{value[:40]!r} is too long a duration") from None


def format_duration(value: timedelta) -> str:
    """The shortest form parse_duration reads back to the same value."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN}),
]


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ambiguous_authority(url: str) -> bool:
    """True where URL parsers disagree on the host. Python reads the host of
    ``http://evil.example\\@127.0.0.1`` after the ``@``; aiohttp and Node, following
    WHATWG, read ``\\`` as ``/`` and connect to ``evil.example``. User info, backslashes,
    whitespace and control characters have no place in an issuer or endpoint: refuse them
    rather than guess which parser is right."""
    if any(ord(char) < 0x21 or char in "\\\x7f" for char in url):
        return True
    return "@" in urlsplit(url).netloc


def _secure_url(value: str) -> str:
    """Credentials travel to these URLs: plain http is only tolerated on this machine."""
    if ambiguous_authority(value):
        raise ValueError(
            f"{shown(value)} carries user info, a backslash, whitespace or a control character; "
            "write the plain https://host/path"
        )
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{shown(value)} is not an absolute http(s) URL")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(
            f"{shown(value)} uses plain http; use https (plain http is allowed only on loopback)"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{shown(value)} must not carry a query or fragment")
    return value


SecureUrl = Annotated[
    str,
    AfterValidator(_secure_url),
    WithJsonSchema({"type": "string", "pattern": "^https?://"}),
]

Dns1123Label = Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=63)]
IamRoleArn = Annotated[
    str,
    StringConstraints(
        pattern=r"^arn:aws[\w-]*:iam::\d{12}:role/[A-Za-z0-9_+=,.@/-]+$", max_length=2048
    ),
]
IamPolicyArn = Annotated[
    str,
    StringConstraints(
        pattern=r"^arn:aws[\w-]*:iam::(\d{12}|aws):policy/[A-Za-z0-9_+=,.@/-]+$", max_length=2048
    ),
]
SecretsManagerArn = Annotated[
    str, StringConstraints(pattern=r"^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")
]


def _scope_token(value: str) -> str:
    """A scope as it goes on the wire: one RFC 6749 scope-token, never a wildcard."""
    if "*" in value:
        raise ValueError(f"{shown(value)} holds a wildcard; grant exact scopes (least privilege)")
    if not _SCOPE_TOKEN.fullmatch(value):
        raise ValueError(
            f"{shown(value)} is not a scope token: "
            "printable ASCII, no spaces, quotes or backslashes"
        )
    return value


ScopeValue = Annotated[
    str,
    StringConstraints(max_length=256),
    AfterValidator(_scope_token),
    WithJsonSchema({"type": "string", "pattern": "^[!#-)+-\\[\\]-~]{1,256}$"}),
]

PATTERN_HINTS = {
    ENV_NAME: "is not an environment variable name: letters, digits and '_', "
    "not starting with a digit",
    DNS1123_LABEL: "must be a DNS-1123 label: lowercase letters, digits and '-', "
    "starting and ending with a letter or digit",
    SCOPE_NAME: "must be lowercase letters, digits, '-', '.', ':' or '/', "
    "starting and ending with a letter or digit (no wildcards)",
}
