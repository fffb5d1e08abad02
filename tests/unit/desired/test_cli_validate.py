"""`ecs-oauth validate -f PATH`, run as users run it: the installed console script."""

from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from pathlib import Path

from .helpers import EXAMPLES, REPO, ecs_oauth, write

ERROR_LINE = re.compile(
    r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<column>\d+): error: (?P<message>.+)$"
)
MARKER = re.compile(r"# <-- (?P<expect>.+)$")

# A desired state with twenty defects, one per marked line; each marker says what the
# error message on that line must contain.
TREE = {
    "platform/identity-providers.yaml": """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: IdentityProvider
        metadata: {name: corp}
        spec:
          cognito: {userPoolId: us-east-1_Ex4mple01, tokenEndpoint: https://auth.example.com/t}
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
        kind: IdentityProvider
        metadata: {name: legacy}
        spec:
          oidc:
            issuer: http://idp.legacy.example.com  # <-- uses plain http
            initialAccessToken: {fromEnv: LEGACY_DCR_TOKEN}
        """,
    "teams/payments/scopes.yaml": """
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
        metadata: {name: orders.all}
        spec: {provider: corp, resourceServer: orders, value: "orders/*"}  # <-- wildcard
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: refunds.issue}
        spec:
          provider: corp
          resourceServer: refunds
          value: payments/refund  # <-- must start with its resourceServer 'refunds/'
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: ledger.read}
        spec:
          provider: ledger  # <-- IdentityProvider 'ledger' is not defined
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: invoices.read}
        spec: {provider: corp, value: invoices/read}  # <-- needs spec.resourceServer
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Scope
        metadata: {name: stock.read}
        spec:
          provider: partners
          resourceServer: stock  # <-- applies to Cognito providers only
        """,
    "teams/payments/roles.yaml": """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-reader}
        spec: {scopes: [orders.read], tokenLifetime: 15m}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-writer}
        spec:
          scopes: [orders.write]
          tokenLifetime: 2h  # <-- over the 1h maximum
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-clerk}
        spec:
          scopes: [orders.write]
          tokenLifetime: 15 minutes  # <-- is not a duration
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: ledger-reader}
        spec:
          scopes: [orders.read, ledger.raed]  # <-- Scope 'ledger.raed' is not defined
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: everywhere}
        spec:
          scopes: [orders.write, stock.read]  # <-- scopes span providers corp, partners
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-viewer}
        spec:
          scopes: [orders.read]  # <-- Role 'orders-reader' already has this scope set
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-reader}  # <-- duplicate Role/orders-reader
        spec: {scopes: [orders.write, orders.read]}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-admin}
        spec:
          scopes: [orders.read, "orders.*"]  # <-- holds a wildcard
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Role
        metadata: {name: orders-auditor}
        spec:
          scopes: [orders.read, orders.write]
          tokenLifetme: 15m  # <-- did you mean 'tokenLifetime'?
        """,
    "teams/payments/services.yaml": """
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: orders-api}
        spec:
          role: orders-reader
          cluster: prod
          taskDefinition: {family: orders-api, container: app}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: ledger-sync}
        spec:
          role: ledger-reader-role  # <-- Role 'ledger-reader-role' is not defined
          cluster: prod
          taskDefinition: {family: ledger-sync, container: app}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: orders-api-canary}
        spec:
          role: orders-reader
          cluster: canary
          taskDefinition:
            family: orders-api  # <-- already managed by Service 'orders-api'
            container: app
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: refunds}
        spec:
          role: orders-reader
          cluster: prod
          taskDefinition: {family: refunds, container: app}
          secret: {rotateEvery: 1d, gracePeriod: 2d}  # <-- must be shorter than rotateEvery
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: Service
        metadata: {name: receipts}
        spec:
          role: orders-reader
          cluster: prod
          taskDefinition: {family: receipts, container: app}
          adopt: "no"  # <-- Input should be a valid boolean
        """,
    "teams/legacy/old.yml": """
        apiVersion: ecs-oauth.dev/v1beta1  # <-- unknown apiVersion
        kind: Role
        metadata: {name: old}
        spec: {scopes: [orders.read]}
        ---
        apiVersion: ecs-oauth.dev/v1alpha1
        kind: ServiceAccount  # <-- unknown kind 'ServiceAccount'
        metadata: {name: old}
        spec: {}
        """,
    "teams/legacy/README.md": "Not desired state; not read.\n",
}


def validate(path: Path | str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ecs_oauth(), "validate", "-f", str(path)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_twenty_defects_in_a_folder_tree_are_twenty_located_errors(tmp_path: Path) -> None:
    expected: Counter[tuple[str, int]] = Counter()
    fragments: dict[tuple[str, int], str] = {}
    for name, text in TREE.items():
        path = write(tmp_path / "desired", name, text)
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if marker := MARKER.search(line):
                place = (f"desired/{name}", number)
                expected[place] += 1
                fragments[place] = marker["expect"]
    assert sum(expected.values()) == 20

    result = validate("desired", cwd=tmp_path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    located = [m for line in lines if (m := ERROR_LINE.match(line))]
    assert len(located) == 20, result.stderr
    assert lines == [m.string for m in located] + ["20 errors"]
    found = Counter((m["file"], int(m["line"])) for m in located)
    assert found == expected, result.stderr
    for match in located:
        place = (match["file"], int(match["line"]))
        assert fragments[place] in match["message"], match.string


def test_the_examples_are_valid_and_summarised_on_one_line() -> None:
    result = validate("examples/", cwd=REPO)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "18 objects valid: 3 IdentityProvider, 7 Scope, 4 Role, 4 Service\n"


def test_validating_one_valid_file_summarises_that_file(tmp_path: Path) -> None:
    path = EXAMPLES / "platform" / "identity-providers.yaml"
    result = validate(path, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "3 objects valid: 3 IdentityProvider\n"


def test_a_missing_path_is_one_error_at_that_path_with_no_made_up_line(tmp_path: Path) -> None:
    result = validate("nowhere.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "nowhere.yaml: error: no such file or folder\n1 error\n"


def test_hostile_files_are_located_errors_never_a_traceback(tmp_path: Path) -> None:
    write(tmp_path, "desired/loop.yaml", "a: &x [*x]\n")
    write(tmp_path, "desired/number.yaml", "a: !!int abc\n")
    write(tmp_path, "desired/control.yaml", "a: \x07\n")
    write(tmp_path, "desired/latin1.yaml", b"a: caf\xe9\n")
    write(tmp_path, "desired/deep.yaml", "[" * 10_000)
    result = validate("desired", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1] == "5 errors"
    assert [ERROR_LINE.match(line) is not None for line in lines[:-1]] == [True] * 5


def test_validate_without_a_path_says_how_to_give_one_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ECS_OAUTH_DESIRED"}
    result = subprocess.run(
        [ecs_oauth(), "validate"], capture_output=True, text=True, timeout=60, check=False, env=env
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "pass -f PATH" in line
    assert "ECS_OAUTH_DESIRED" in line
