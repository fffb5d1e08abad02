"""The sandbox's working copy: the same objects, only the identity providers made local."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from controller.desired import load
from controller.sandbox import (
    DCR_TOKEN_VARIABLE,
    OKTA_TOKEN_VARIABLE,
    LocalIdentity,
    local_provider,
    write_working_copy,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
LOCAL = LocalIdentity(
    aws_url="http://127.0.0.1:5000",
    user_pool_ids={"corp": "us-east-1_local01"},
    issuer="http://127.0.0.1:6000",
    okta_orgs={"workforce": ("http://127.0.0.1:7000", "auslocal01")},
)


def provider(spec: dict[str, object], name: str = "corp") -> dict[str, object]:
    return {
        "apiVersion": "ecs-oauth.dev/v1alpha1",
        "kind": "IdentityProvider",
        "metadata": {"name": name, "labels": {"team": "platform"}},
        "spec": spec,
    }


class TestProviderDocuments:
    def test_a_cognito_provider_gets_the_seeded_pool_and_its_local_token_endpoint(self) -> None:
        document = provider(
            {"cognito": {"userPoolId": "eu-west-1_Real", "tokenEndpoint": "https://a.example"}}
        )

        local = local_provider(document, LOCAL)

        assert local["spec"] == {
            "cognito": {
                "userPoolId": "us-east-1_local01",
                "tokenEndpoint": "http://127.0.0.1:5000/__cognito/us-east-1_local01/oauth2/token",
            }
        }
        assert local["metadata"] == document["metadata"]

    def test_an_oidc_provider_gets_the_local_issuer_and_keeps_its_token_variable(self) -> None:
        document = provider(
            {"oidc": {"issuer": "https://idp.example", "initialAccessToken": {"fromEnv": "T"}}},
            name="partners",
        )

        assert local_provider(document, LOCAL)["spec"] == {
            "oidc": {"issuer": "http://127.0.0.1:6000", "initialAccessToken": {"fromEnv": "T"}}
        }

    def test_an_initial_access_token_kept_in_secrets_manager_is_read_from_the_sandbox(
        self,
    ) -> None:
        arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dcr-AbCdEf"
        document = provider(
            {
                "oidc": {
                    "issuer": "https://idp.example",
                    "initialAccessToken": {"fromSecretArn": arn},
                }
            },
            name="partners",
        )

        token = local_provider(document, LOCAL)["spec"]["oidc"]["initialAccessToken"]

        assert token == {"fromEnv": DCR_TOKEN_VARIABLE}

    def test_an_okta_provider_gets_its_local_org_and_keeps_its_api_token_variable(
        self,
    ) -> None:
        document = provider(
            {
                "okta": {
                    "orgUrl": "https://acme.okta.com",
                    "authorizationServerId": "aus8k2x4ze7QmZpLm697",
                    "apiToken": {"fromEnv": "T"},
                }
            },
            name="workforce",
        )

        assert local_provider(document, LOCAL)["spec"] == {
            "okta": {
                "orgUrl": "http://127.0.0.1:7000",
                "authorizationServerId": "auslocal01",
                "apiToken": {"fromEnv": "T"},
            }
        }

    def test_an_okta_service_app_is_replaced_by_the_local_orgs_api_token(self) -> None:
        document = provider(
            {
                "okta": {
                    "orgUrl": "https://acme.okta.com",
                    "authorizationServerId": "aus8k2x4ze7QmZpLm697",
                    "serviceApp": {"clientId": "0oa1234567", "privateKey": {"fromEnv": "K"}},
                }
            },
            name="workforce",
        )

        okta = local_provider(document, LOCAL)["spec"]["okta"]

        assert okta["apiToken"] == {"fromEnv": OKTA_TOKEN_VARIABLE}
        assert "serviceApp" not in okta

    @pytest.mark.parametrize("kind", ["Scope", "Role", "Service"])
    def test_other_kinds_are_left_as_written(self, kind: str) -> None:
        document = {"kind": kind, "metadata": {"name": "x"}, "spec": {"anything": 1}}

        assert local_provider(document, LOCAL) == document


class TestTheCopy:
    @pytest.fixture
    def copied(self, tmp_path: Path) -> Path:
        return write_working_copy(EXAMPLES, load(EXAMPLES), LOCAL, tmp_path / "desired")

    def test_files_without_a_provider_are_copied_byte_for_byte(self, copied: Path) -> None:
        for file in EXAMPLES.rglob("*.yaml"):
            if "IdentityProvider" not in file.read_text():
                assert (copied / file.relative_to(EXAMPLES)).read_bytes() == file.read_bytes()

    def test_the_copy_is_a_valid_desired_state_with_the_same_objects(self, copied: Path) -> None:
        original, copy = load(EXAMPLES), load(copied)

        assert copy.summary() == original.summary()
        assert copy.services == original.services
        assert copy.roles == original.roles

    def test_the_copy_points_only_at_the_local_servers(self, copied: Path) -> None:
        providers = load(copied).providers

        cognito, oidc = providers["corp"].spec.cognito, providers["partners"].spec.oidc
        okta = providers["workforce"].spec.okta
        assert cognito is not None
        assert oidc is not None
        assert okta is not None
        assert (okta.org_url, okta.authorization_server_id) == LOCAL.okta_orgs["workforce"]
        assert cognito.user_pool_id == "us-east-1_local01"
        assert str(cognito.token_endpoint).startswith(LOCAL.aws_url)
        assert str(oidc.issuer).rstrip("/") == LOCAL.issuer

    def test_a_rewritten_file_says_where_it_came_from(self, copied: Path) -> None:
        text = (copied / "platform" / "identity-providers.yaml").read_text()

        assert text.startswith("# Working copy made by `ecs-oauth sandbox` from ")
        assert len(list(yaml.safe_load_all(text))) == 3

    def test_a_single_file_is_copied_under_its_own_name(self, tmp_path: Path) -> None:
        single = tmp_path / "all.yaml"
        single.write_text("\n---\n".join(p.read_text() for p in sorted(EXAMPLES.rglob("*.yaml"))))
        shutil.rmtree(tmp_path / "desired", ignore_errors=True)

        copied = write_working_copy(single, load(single), LOCAL, tmp_path / "desired")

        assert copied == tmp_path / "desired" / "all.yaml"
        assert load(copied).providers["corp"].spec.cognito.user_pool_id == "us-east-1_local01"
