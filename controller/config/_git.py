"""``source.git``: the settings that make a git repository the daemon's desired state.

Credentials are references only, and the URL may not carry any: a URL lands in logs,
``/status`` and ``ps`` output, so a token or password in it would leak there.
"""

from __future__ import annotations

import re
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from controller.desired._kinds import FromEnvOrSecret
from controller.desired._redact import shown
from controller.desired._types import Duration

_SCHEMES = ("https", "http", "ssh", "git", "file")
_SCP_LIKE = re.compile(r"^[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+:[^/].*$")  # git@github.com:org/repo
# A ref name as git allows it, minus what could be read as an option or a path escape.
_REF = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]{1,200}(?<![./])$")
_SHA = re.compile(r"^[0-9a-f]{40}$|^[0-9a-f]{64}$")
# "principal key-type base64", one line of ssh's allowed_signers format (no options).
_SIGNER = re.compile(r"^\S+ (ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+|sk-\S+) [A-Za-z0-9+/=]+$")


def _url(value: str) -> str:
    if _SCP_LIKE.match(value):
        return value
    parts = urlsplit(value)
    if parts.scheme not in _SCHEMES or not (parts.netloc or parts.scheme == "file"):
        raise ValueError(
            f"expected a git URL (https://host/org/repo.git, ssh://git@host/org/repo.git or"
            f" git@host:org/repo.git); got {shown(value)}"
        )
    if parts.password is not None or (parts.username and parts.scheme in ("https", "http")):
        raise ValueError(
            "the URL must not carry credentials (they would show in logs and /status);"
            " give them in source.git.auth.token or source.git.auth.sshKey"
        )
    return value


def _ref_name(value: str) -> str:
    if not _REF.match(value):
        raise ValueError(f"not a branch or tag name: {shown(value)}")
    return value


def _sha(value: str) -> str:
    if not _SHA.match(value):
        raise ValueError(f"expected a full commit SHA (40 hex digits); got {shown(value)}")
    return value


def _relative(value: str) -> str:
    parts = value.replace("\\", "/").split("/")
    if value.startswith("/") or ".." in parts:
        raise ValueError(f"expected a folder inside the repository, like 'desired'; got {value!r}")
    return value


def _signer(value: str) -> str:
    if not _SIGNER.match(value):
        raise ValueError(
            "expected 'PRINCIPAL KEYTYPE BASE64KEY', such as"
            " 'alice@example.com ssh-ed25519 AAAAC3Nza...' (a line of ssh's allowed_signers)"
        )
    return value


class _Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, alias_generator=to_camel, populate_by_name=True
    )


class GitRef(_Section):
    """Exactly one, as Flux's GitRepository has it: a branch follows its head, a tag or a
    commit pins."""

    branch: Annotated[str, AfterValidator(_ref_name)] | None = None
    tag: Annotated[str, AfterValidator(_ref_name)] | None = None
    commit: Annotated[str, AfterValidator(_sha)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if sum(v is not None for v in (self.branch, self.tag, self.commit)) != 1:
            raise ValueError("give exactly one of branch, tag or commit")
        return self


class GitAuth(_Section):
    # A private key (OpenSSH format) for ssh:// and git@ URLs.
    ssh_key: FromEnvOrSecret | None = None
    # A token for https:// URLs, sent as an HTTP header (never in the URL or argv).
    token: FromEnvOrSecret | None = None

    @model_validator(mode="after")
    def _one(self) -> Self:
        if self.ssh_key is not None and self.token is not None:
            raise ValueError("give sshKey or token, not both")
        return self


class GitVerify(_Section):
    allowed_signers: Annotated[list[Annotated[str, AfterValidator(_signer)]], Field(min_length=1)]


class GitWebhook(_Section):
    # The secret GitHub signs with (X-Hub-Signature-256) or GitLab sends (X-Gitlab-Token).
    secret: FromEnvOrSecret


class GitSource(_Section):
    url: Annotated[str, AfterValidator(_url), Field(max_length=2000)]
    ref: GitRef = GitRef(branch="main")
    path: Annotated[str, AfterValidator(_relative)] = "."
    interval: Duration = Field(default="1m", validate_default=True)
    auth: GitAuth = GitAuth()
    verify: GitVerify | None = None
    webhook: GitWebhook | None = None


class Source(_Section):
    git: GitSource | None = None
