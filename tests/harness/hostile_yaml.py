"""Hostile desired-state files, generated rather than committed: each is a few lines of
code, and a reader sees what makes it hostile without opening a multi-MiB blob."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

HEADER = "apiVersion: ecs-oauth.dev/v1alpha1\nkind: Scope\n"


def stacked_alias_chain(blocks: int = 24, depth: int = 60) -> str:
    """About 3 KB: each anchor nests the previous one ``depth`` brackets deeper, so no
    block as written passes the depth limit but the expanded value is 1,400 levels deep."""
    lines = ["b0: &b0 1"]
    for n in range(1, blocks):
        lines.append(f"b{n}: &b{n} " + "[" * depth + f"*b{n - 1}" + "]" * depth)
    return "\n".join(lines) + "\n"


def doubling_aliases(levels: int = 40) -> str:
    """``a: &a [1]``, ``b: &b [*a, *a]``...: each line doubles the expanded size."""
    lines = ["a0: &a0 [1]"]
    lines += [f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def open_brackets(levels: int = 100_000) -> str:
    return "[" * levels


def over_four_mib() -> bytes:
    """A valid-looking document followed by comments: large, not malformed."""
    line = b"# " + b"x" * 1021 + b"\n"
    return (HEADER + "metadata: {name: x}\n").encode() + line * (4 * 1024 + 1)


def huge_flow_list() -> str:
    """Just under 4 MiB: one flow list of two million items, refused after the first
    100,000 rather than composed whole."""
    return "[" + "1," * (2 * 1024 * 1024 - 10) + "1]"


# Credentials as a user might paste them: a JWT, a client secret, a password. No part of
# any of them may appear in an error, a log line, /status or an alert.
PASTED_SECRETS = (
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQtMTIzIn0.Qk9HVVNTSUdOQVRVUkUx",
    "7Hq2xLw9RtZ4pKv8MnB3yC6dFgJ1sA5e",
    "hunter2-Correct-Horse-99",
)


def pasted_secrets() -> str:
    """Secrets pasted where a reference belongs, under an unknown field, into a wrongly
    typed one and into a URL: each document is refused, none quotes the value."""
    token, client_secret, password = PASTED_SECRETS
    return f"""\
apiVersion: ecs-oauth.dev/v1alpha1
kind: IdentityProvider
metadata: {{name: pasted}}
spec:
  oidc:
    issuer: https://admin:{password}@idp.example.com
    initialAccessToken: {token}
---
{HEADER}metadata: {{name: pasted.read}}
spec:
  provider: pasted
  value: pasted/read
  clientSecret: {client_secret}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Role
metadata: {{name: pasted}}
spec:
  scopes: {client_secret}
  tokenLifetime: [{password}]
"""


# name -> its contents, made on demand; every case must end in one located error.
CORPUS: dict[str, Callable[[], str | bytes]] = {
    "stacked-alias-chain.yaml": stacked_alias_chain,
    "doubling-aliases.yaml": doubling_aliases,
    "open-brackets.yaml": open_brackets,
    "over-four-mib.yaml": over_four_mib,
    "huge-flow-list.yaml": huge_flow_list,
    "pasted-secrets.yaml": pasted_secrets,
}

# name -> (LINE:COL of the first error, or "" for the file as a whole; what it says),
# wherever the case is loaded.
REFUSALS = {
    "stacked-alias-chain.yaml": ("2:12", "nesting deeper than 64 levels once aliases are expanded"),
    "doubling-aliases.yaml": ("3:5", "more than 100000 nodes (are aliases multiplying it?)"),
    "open-brackets.yaml": ("1:65", "nesting deeper than 64 levels; flatten the document"),
    "over-four-mib.yaml": ("", "file is larger than 4 MiB; split it"),
    "huge-flow-list.yaml": ("1:200000", "file holds more than 100000 nodes; split it"),
    "pasted-secrets.yaml": ("6:13", "spec.oidc.issuer: <value hidden"),
}


def located(path: Path, where: str) -> str:
    """How an error line names ``path`` and ``where`` (a REFUSALS place) before ': error: '."""
    return f"{path}:{where}" if where else str(path)


def write_case(folder: Path, name: str) -> Path:
    """Write one corpus case to ``folder/name``; return its path."""
    content = CORPUS[name]()
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def secret_fragments(secrets: tuple[str, ...], width: int = 8) -> set[str]:
    """Every ``width``-character piece of each secret: an output holding none of them
    echoes no meaningful part of any (a prefix or a tail would be as bad as the whole)."""
    return {s[i : i + width] for s in secrets for i in range(len(s) - width + 1)}
