"""``ecs-oauth config``'s core: the settings every layer adds up to, as a values file, with
credentials shown as the references written, never resolved."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from controller.config import Settings, effective, load_settings, render

ROOT = Path(__file__).resolve().parents[3]
VALUES = ROOT / "helm-style-config" / "values.yaml"
ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chat"


def test_the_defaults_read_back_as_values_yaml_documents_them() -> None:
    assert effective(Settings()) == yaml.safe_load(VALUES.read_text())


def test_every_layer_is_in_the_effective_settings(tmp_path: Path) -> None:
    overlay = tmp_path / "env.yaml"
    overlay.write_text("concurrency: 3\nprune: {enabled: true}\n")

    document = effective(load_settings([VALUES, overlay], ["prune.maxFraction=0.25"]))

    assert (document["concurrency"], document["prune"]) == (
        3,
        {"enabled": True, "maxFraction": 0.25, "minCount": 1},
    )


def test_a_credential_is_its_reference_never_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/secret")
    settings = load_settings(
        [],
        [
            "alerts.slack.webhookUrl.fromEnv=SLACK_WEBHOOK_URL",
            f"http.authToken.fromSecretArn={ARN}",
        ],
    )

    document = effective(settings)

    assert document["alerts"]["slack"] == {"webhookUrl": {"fromEnv": "SLACK_WEBHOOK_URL"}}
    assert document["http"]["authToken"] == {"fromSecretArn": ARN}
    assert "hooks.slack.com" not in render(document, [])


def test_the_text_form_names_its_layers_and_writes_references_as_people_do() -> None:
    settings = load_settings([VALUES], ["alerts.slack.webhookUrl.fromEnv=SLACK_WEBHOOK_URL"])

    text = render(effective(settings), [str(VALUES), "--set alerts.slack.webhookUrl.fromEnv"])

    assert text.splitlines()[0] == (
        f"# effective settings: the defaults, then {VALUES}, "
        "then --set alerts.slack.webhookUrl.fromEnv"
    )
    assert "    webhookUrl: {fromEnv: SLACK_WEBHOOK_URL}\n" in text
    assert yaml.safe_load(text) == effective(settings)
