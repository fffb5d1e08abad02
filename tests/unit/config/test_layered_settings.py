"""Settings layer like Helm's and report bad values where they were written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from controller.config import Settings, load_settings
from controller.desired import DesiredStateError

ROOT = Path(__file__).resolve().parents[3]
VALUES = ROOT / "helm-style-config" / "values.yaml"


def test_values_yaml_documents_exactly_the_model_defaults() -> None:
    documented = yaml.safe_load(VALUES.read_text())
    assert documented == Settings().model_dump(mode="json", by_alias=True) | {
        "resyncInterval": "5m",
        "reconcileTimeout": "2m",
    }


def test_every_environment_overlay_is_valid() -> None:
    for overlay in sorted((ROOT / "helm-style-config" / "environments").glob("*.yaml")):
        load_settings([VALUES, overlay], [])


def test_later_layers_win_in_helms_order(tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    first.write_text("concurrency: 3\nprune: {enabled: true}\n")
    second = tmp_path / "b.yaml"
    second.write_text("concurrency: 5\n")
    settings = load_settings([VALUES, first, second], ["prune.maxFraction=0.25"])
    assert settings.concurrency == 5
    assert settings.prune.enabled is True
    assert settings.prune.max_fraction == 0.25


def test_an_unknown_key_is_reported_at_its_file_and_line(tmp_path: Path) -> None:
    overlay = tmp_path / "env.yaml"
    overlay.write_text("mode: enforce\nprune:\n  maxFractoin: 0.5\n")
    with pytest.raises(DesiredStateError) as caught:
        load_settings([VALUES, overlay], [])
    (diagnostic,) = caught.value.diagnostics
    assert str(diagnostic).startswith(f"{overlay}:3:3: error: prune.maxFractoin: unknown setting")


def test_a_bad_set_value_names_the_set_option() -> None:
    with pytest.raises(DesiredStateError) as caught:
        load_settings([VALUES], ["mode=loud"])
    assert str(caught.value.diagnostics[0]).startswith("--set:1:1: error: mode:")


def test_a_webhook_url_in_plain_text_is_refused(tmp_path: Path) -> None:
    overlay = tmp_path / "env.yaml"
    overlay.write_text(
        "alerts:\n  slack:\n    webhookUrl: https://hooks.slack.com/services/T/B/X\n"
    )
    with pytest.raises(DesiredStateError) as caught:
        load_settings([overlay], [])
    assert ":3:" in str(caught.value.diagnostics[0])


def test_the_alert_labels_link_and_rate_limit_are_set_like_any_setting() -> None:
    settings = load_settings(
        [VALUES],
        [
            "alerts.environment=production",
            "alerts.statusUrl=https://ecs-oauth.internal/status",
            "alerts.maxMessagesPerMinute=5",
        ],
    )
    assert settings.alerts.environment == "production"
    assert settings.alerts.status_url == "https://ecs-oauth.internal/status"
    assert settings.alerts.max_messages_per_minute == 5


@pytest.mark.parametrize(
    "option", ["alerts.maxMessagesPerMinute=0", "alerts.statusUrl=javascript:alert(1)"]
)
def test_a_rate_limit_of_nothing_or_a_status_link_that_is_not_http_is_refused(
    option: str,
) -> None:
    with pytest.raises(DesiredStateError) as caught:
        load_settings([VALUES], [option])
    assert str(caught.value.diagnostics[0]).startswith("--set:1:1: error: alerts.")
