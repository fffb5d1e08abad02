"""A bad setting reads like a bad desired-state field: where it was written, the setting
meant, and an example of what to write instead of a pydantic class name."""

from __future__ import annotations

from pathlib import Path

import pytest

from controller.config import load_desired, load_settings
from controller.desired import DesiredStateError

ROOT = Path(__file__).resolve().parents[3]
VALUES = ROOT / "helm-style-config" / "values.yaml"


def messages(values: list[Path], assignments: list[str]) -> list[str]:
    with pytest.raises(DesiredStateError) as raised:
        load_settings(values, assignments)
    return [str(diagnostic) for diagnostic in raised.value.diagnostics]


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "prune.maxFractoin=0.5",
            "prune.maxFractoin: unknown setting; did you mean 'prune.maxFraction'?",
        ),
        ("concurency=4", "concurency: unknown setting; did you mean 'concurrency'?"),
        ("prune.concurrency=4", "prune.concurrency: unknown setting; did you mean 'concurrency'?"),
        (
            "tenancy.teams.payments.pathz=teams/payments",
            "tenancy.teams.payments.pathz: unknown setting; "
            "did you mean 'tenancy.teams.payments.paths'?",
        ),
        (
            "leaderElection.tabel=leases",
            "leaderElection.tabel: unknown setting; did you mean 'leaderElection.table'?",
        ),
    ],
    ids=["misspelt", "misspelt-top-level", "wrong-section", "under-a-team", "nested"],
)
def test_an_unknown_setting_names_the_setting_meant_in_full(assignment: str, message: str) -> None:
    # (A team without its required paths is also reported: the line asserted is there.)
    assert f"--set:1:1: error: {message}" in messages([], [assignment])


def test_a_setting_never_suggests_itself() -> None:
    assert messages([], ["nothingLikeIt=1"]) == ["--set:1:1: error: nothingLikeIt: unknown setting"]


def test_a_credential_in_plain_text_is_shown_the_reference_form_at_its_file_and_line(
    tmp_path: Path,
) -> None:
    overlay = tmp_path / "env.yaml"
    overlay.write_text(
        "alerts:\n  slack:\n    webhookUrl: https://hooks.slack.com/services/T/B/X\n"
    )

    assert messages([VALUES, overlay], []) == [
        f"{overlay}:3:5: error: alerts.slack.webhookUrl: expected a reference such as "
        "{fromEnv: NAME} or {fromSecretArn: arn:aws:secretsmanager:...}, never the value itself"
    ]


@pytest.mark.parametrize(("listen", "shown"), [("8080", "8080"), ("localhost", "'localhost'")])
def test_a_listen_address_without_host_and_port_is_shown_examples(listen: str, shown: str) -> None:
    assert messages([], [f"http.listen={listen}"]) == [
        "--set:1:1: error: http.listen: expected host:port, such as '127.0.0.1:8080', "
        f"'0.0.0.0:8080' or '[::1]:8080' (port 0 picks a free one); got {shown}"
    ]


@pytest.mark.parametrize("listen", ["127.0.0.1:8080", "0.0.0.0:0", "[::1]:9090", "localhost:80"])
def test_a_listen_address_with_host_and_port_is_accepted(listen: str) -> None:
    assert load_settings([], [f"http.listen={listen}"]).http.listen == listen


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "leaderElection=leases",
            "leaderElection: expected a mapping of table, leaseDuration; got 'leases'",
        ),
        ("mode=loud", "mode: Input should be 'enforce' or 'detect', got 'loud'"),
        ("concurrency=many", "concurrency: Input should be a valid integer, got 'many'"),
        (
            "controllerId=payments prod",
            "controllerId: 'payments prod' must be 1 to 128 letters, digits or _.:/=+@- "
            "(say, payments-prod)",
        ),
        (
            "alerts.webhook.url.fromEnv=1URL",
            "alerts.webhook.url.fromEnv: '1URL' is not an environment variable name: letters, "
            "digits and '_', not starting with a digit",
        ),
        (
            "tenancy.teams.payments.scopes=[]",
            "tenancy.teams.payments.paths: missing required setting",
        ),
    ],
    ids=["section", "choice", "number", "pattern", "env-name", "missing"],
)
def test_a_bad_value_says_what_was_expected_and_what_was_found(
    assignment: str, message: str
) -> None:
    assert messages([], [assignment]) == [f"--set:1:1: error: {message}"]


def test_a_set_value_that_is_not_yaml_is_taken_as_a_string() -> None:
    assert load_settings([], ["alerts.environment=[staging"]).alerts.environment == "[staging"


def test_a_values_file_given_as_desired_state_is_named_as_one() -> None:
    with pytest.raises(DesiredStateError) as raised:
        load_desired(VALUES, load_settings([], []))
    assert [str(diagnostic) for diagnostic in raised.value.diagnostics] == [
        f"{VALUES}:9:1: error: this looks like a values file (controller settings): "
        "pass it with --values"
    ]
