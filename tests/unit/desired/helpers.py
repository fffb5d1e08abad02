"""Put YAML text in files and read back what `load` says about them.

Tests write the YAML they feed inline and name the place they expect the error, as
``"test.yaml:6:3"`` (file relative to the folder, line, column; all 1-based). The YAML
text is dedented and its leading newline dropped, so its first line is line 1.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from controller.desired import DesiredState, DesiredStateError, load

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
CRDS = REPO / "crds"

# A small valid world the defects in tests refer to. It lives in base.yaml, which sorts
# before test.yaml, so anything test.yaml repeats is the second occurrence.
BASE = """
apiVersion: ecs-oauth.dev/v1alpha1
kind: IdentityProvider
metadata: {name: corp}
spec:
  cognito: {userPoolId: us-east-1_Ex4mple01, tokenEndpoint: https://auth.example.com/oauth2/token}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: IdentityProvider
metadata: {name: partners}
spec:
  oidc:
    issuer: https://idp.partners.example.com
    initialAccessToken: {fromEnv: PARTNERS_DCR_TOKEN}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Scope
metadata: {name: orders.read}
spec: {provider: corp, resourceServer: orders, value: orders/read}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Scope
metadata: {name: orders.write}
spec: {provider: corp, resourceServer: orders, value: orders/write}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Scope
metadata: {name: stock.read}
spec: {provider: partners}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Role
metadata: {name: orders-reader}
spec: {scopes: [orders.read], tokenLifetime: 15m}
---
apiVersion: ecs-oauth.dev/v1alpha1
kind: Service
metadata: {name: orders-api}
spec:
  role: orders-reader
  cluster: prod
  taskDefinition: {family: orders-api, container: app}
"""


def yaml_text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def write(folder: Path, name: str, text: str | bytes) -> Path:
    """Write ``text`` (dedented) or raw bytes to ``folder/name``; return the file's path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(yaml_text(text), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Error:
    """One diagnostic, with its file shown relative to the folder the test wrote."""

    where: str
    message: str

    @property
    def file(self) -> str:
        return self.where.split(":", 1)[0]

    @property
    def line(self) -> int:
        """0 for a problem with the file (or folder) as a whole."""
        parts = self.where.split(":")
        return int(parts[1]) if len(parts) > 1 else 0


def errors(path: Path, relative_to: Path | None = None) -> list[Error]:
    """Every diagnostic `load(path)` raises, in the order it reports them."""
    base = relative_to or (path if path.is_dir() else path.parent)
    with pytest.raises(DesiredStateError) as raised:
        load(path)
    found = []
    for diagnostic in raised.value.diagnostics:
        location = diagnostic.location
        file = Path(location.file)
        shown = file.relative_to(base).as_posix() if file.is_relative_to(base) else str(file)
        where = f"{shown}:{location.line}:{location.column}" if location.line else shown
        found.append(Error(where, diagnostic.message))
    return found


def errors_with_base(folder: Path, text: str) -> list[Error]:
    """The diagnostics of the valid BASE world plus ``text`` as test.yaml."""
    write(folder, "base.yaml", BASE)
    write(folder, "test.yaml", text)
    return errors(folder)


def the_error(folder: Path, text: str) -> Error:
    """The one diagnostic of BASE plus ``text``; fails if there is not exactly one."""
    found = errors_with_base(folder, text)
    assert len(found) == 1, "expected exactly one error, got:\n" + "\n".join(map(str, found))
    return found[0]


def loads(folder: Path, text: str) -> DesiredState:
    """BASE plus ``text`` must be valid; return the state."""
    write(folder, "base.yaml", BASE)
    write(folder, "test.yaml", text)
    try:
        return load(folder)
    except DesiredStateError as exc:
        pytest.fail(f"expected a valid desired state, got:\n{exc}")


def ecs_oauth() -> str:
    """The installed console script, next to this interpreter first."""
    found = shutil.which("ecs-oauth", path=str(Path(sys.executable).parent)) or shutil.which(
        "ecs-oauth"
    )
    assert found, "the ecs-oauth console script is not installed; pip install -e ."
    return found
