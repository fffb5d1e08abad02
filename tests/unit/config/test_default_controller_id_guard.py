"""``controllerId: default`` converges only a local endpoint: two deployments that both kept
it would claim each other's resources."""

from __future__ import annotations

from controller.config import Settings, aws_is_local, default_id_refusal
from controller.config._guards import is_loopback_url

LOCAL = {"AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}


class TestLoopbackUrls:
    def test_loopback_hosts(self) -> None:
        for url in (
            "http://127.0.0.1:5000",
            "http://127.1.2.3",
            "http://localhost:4566/",
            "http://moto.localhost",
            "http://[::1]:5000",
        ):
            assert is_loopback_url(url), url

    def test_other_hosts(self) -> None:
        for url in (
            "https://ecs.example.invalid",
            "https://ecs.us-east-1.amazonaws.com",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
            "not a url",
            "",
        ):
            assert not is_loopback_url(url), url


class TestAwsIsLocal:
    def test_a_loopback_endpoint_for_every_service(self) -> None:
        assert aws_is_local(LOCAL)
        assert aws_is_local({**LOCAL, "AWS_ENDPOINT_URL_ECS": "http://localhost:1"})

    def test_no_endpoint_is_real_aws(self) -> None:
        assert not aws_is_local({})

    def test_only_some_services_local_is_not_local(self) -> None:
        assert not aws_is_local({"AWS_ENDPOINT_URL_ECS": "http://127.0.0.1:1"})

    def test_one_service_elsewhere_is_not_local(self) -> None:
        assert not aws_is_local({**LOCAL, "AWS_ENDPOINT_URL_IAM": "https://iam.amazonaws.com"})

    def test_configured_endpoints_ignored_is_not_local(self) -> None:
        assert not aws_is_local({**LOCAL, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"})


class TestTheRefusal:
    def test_the_default_against_real_aws_is_refused_with_how_to_set_it(self) -> None:
        refusal = default_id_refusal(Settings(), {})

        assert refusal is not None
        assert "\n" not in refusal
        assert "--set controllerId=" in refusal
        assert "values" in refusal

    def test_the_default_against_a_local_endpoint_is_allowed(self) -> None:
        assert default_id_refusal(Settings(), LOCAL) is None

    def test_an_id_of_its_own_is_allowed_anywhere(self) -> None:
        assert default_id_refusal(Settings(controller_id="payments-prod"), {}) is None
