"""The pure parts of the git source: its settings, the webhook's signature check, the
credentials' way to git, where an invalid commit's errors point, and what status shows."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from aiohttp import test_utils, web

from controller.alerts import desired_state_changed
from controller.config import GitSource, load_settings
from controller.daemon import bind_process_fields, configure_logging, unbind_process_fields
from controller.daemon._board import StatusBoard
from controller.desired import DesiredStateError
from controller.sources._git import located
from controller.sources._git_hook import REREAD_AFTER, GitHook, signature_valid
from controller.sources._git_repo import credential_env, explained, redacted, ref_name

SHA = "3f2a" * 10
URL = "source.git.url=https://git.example.com/platform/desired.git"


def errors(*assignments: str) -> list[str]:
    with pytest.raises(DesiredStateError) as raised:
        load_settings([], list(assignments))
    return [str(d) for d in raised.value.diagnostics]


def git_settings(*assignments: str) -> GitSource:
    git = load_settings([], [URL, *assignments]).source.git
    assert git is not None
    return git


class TestSettings:
    def test_a_url_follows_main_every_minute_from_the_top_folder_by_default(self) -> None:
        git = git_settings()
        assert (git.ref.branch, git.path, git.interval.total_seconds()) == ("main", ".", 60)

    def test_a_tag_or_a_commit_replaces_the_default_branch(self) -> None:
        assert git_settings("source.git.ref.tag=v1.2").ref.branch is None
        assert git_settings(f"source.git.ref.commit={SHA}").ref.commit == SHA

    def test_a_url_with_credentials_is_refused_without_echoing_them(self) -> None:
        [message] = errors("source.git.url=https://bot:s3cr3t@git.example.com/desired.git")
        assert "must not carry credentials" in message
        assert "s3cr3t" not in message

    @pytest.mark.parametrize(
        ("assignment", "expected"),
        [
            ("source.git.ref.commit=abc", "expected a full commit SHA"),
            ("source.git.ref.branch=--upload-pack=x", "not a branch or tag name"),
            ("source.git.path=../outside", "expected a folder inside the repository"),
            ("source.git.interval=soon", "source.git.interval"),
        ],
    )
    def test_a_bad_field_names_itself_and_what_to_write(
        self, assignment: str, expected: str
    ) -> None:
        [message] = errors(URL, assignment)
        assert expected in message, message

    def test_two_refs_or_two_credentials_are_refused(self) -> None:
        assert (
            "exactly one of branch, tag or commit"
            in errors(URL, "source.git.ref.tag=v1", "source.git.ref.branch=main")[0]
        )
        assert (
            "sshKey or token, not both"
            in errors(URL, "source.git.auth.token.fromEnv=T", "source.git.auth.sshKey.fromEnv=K")[0]
        )

    def test_an_allowed_signer_is_a_line_of_ssh_allowed_signers(self, tmp_path: Path) -> None:
        values = tmp_path / "values.yaml"
        values.write_text(
            "source: {git: {url: 'git@github.com:org/desired.git',"
            " verify: {allowedSigners: ['alice@example.com ssh-ed25519 AAAAC3Nz', 'nonsense']}}}\n"
        )
        with pytest.raises(DesiredStateError) as raised:
            load_settings([values], [])
        [message] = [str(d) for d in raised.value.diagnostics]
        assert "allowedSigners.1" in message
        assert "PRINCIPAL KEYTYPE BASE64KEY" in message


class TestWebhookSignature:
    BODY = b'{"ref": "refs/heads/main"}'

    def test_githubs_hmac_of_the_body_with_the_secret_is_accepted(self) -> None:
        digest = hmac.new(b"s", self.BODY, hashlib.sha256).hexdigest()
        assert signature_valid("s", self.BODY, {"X-Hub-Signature-256": f"sha256={digest}"})

    def test_a_signature_of_another_body_or_secret_is_refused(self) -> None:
        digest = hmac.new(b"s", self.BODY, hashlib.sha256).hexdigest()
        assert not signature_valid("s", b"{}", {"X-Hub-Signature-256": f"sha256={digest}"})
        assert not signature_valid("t", self.BODY, {"X-Hub-Signature-256": f"sha256={digest}"})

    def test_gitlabs_token_must_equal_the_secret(self) -> None:
        assert signature_valid("s", self.BODY, {"X-Gitlab-Token": "s"})
        assert not signature_valid("s", self.BODY, {"X-Gitlab-Token": "x"})

    def test_no_signature_at_all_is_refused(self) -> None:
        assert not signature_valid("s", self.BODY, {})


class TestCredentials:
    def test_a_token_goes_in_an_http_header_through_the_environment_never_the_url(
        self,
    ) -> None:
        env = credential_env(git_settings("source.git.auth.token.fromEnv=T"), "tok", None)
        assert env["GIT_CONFIG_KEY_0"] == "http.extraHeader"
        encoded = env["GIT_CONFIG_VALUE_0"].removeprefix("Authorization: Basic ")
        assert base64.b64decode(encoded) == b"x-access-token:tok"
        assert env["GIT_TERMINAL_PROMPT"] == "0"

    def test_an_ssh_key_is_named_by_file_in_git_ssh_command(self, tmp_path: Path) -> None:
        key = tmp_path / "key"
        env = credential_env(git_settings("source.git.auth.sshKey.fromEnv=K"), "KEY", key)
        assert f"-i {key}" in env["GIT_SSH_COMMAND"]
        assert "KEY" not in env["GIT_SSH_COMMAND"]

    def test_git_stderr_loses_the_credential_before_it_is_shown(self) -> None:
        said = redacted("fatal: token s3cr3t refused", ("s3cr3t",))
        assert said == "fatal: token (redacted) refused"

    def test_a_refused_credential_names_the_setting_to_check(self) -> None:
        said = "fatal: could not read Username for 'https://h': terminal prompts disabled"
        with_token = git_settings("source.git.auth.token.fromEnv=T")
        assert explained(said, with_token).endswith(
            "(the server refused the credential: check source.git.auth.token)"
        )
        assert "set source.git.auth.token or sshKey" in explained(said, git_settings())

    def test_other_git_errors_are_shown_as_git_said_them(self) -> None:
        said = "fatal: unable to access 'https://h/': Could not resolve host: h"
        assert explained(said, git_settings("source.git.auth.token.fromEnv=T")) == said

    def test_each_kind_of_ref_resolves_to_its_commit(self) -> None:
        assert ref_name(git_settings()) == "refs/heads/main^{commit}"
        assert ref_name(git_settings("source.git.ref.tag=v1")) == "refs/tags/v1^{commit}"
        assert ref_name(git_settings(f"source.git.ref.commit={SHA}")) == f"{SHA}^{{commit}}"


class TestReporting:
    def test_an_invalid_commits_errors_read_sha_then_the_file_in_the_repository(self) -> None:
        root = Path("/tmp/checkout")
        lines = ["/tmp/checkout/desired/a.yaml:14:3: error: tokenLifetime: too long", "other"]
        assert located(lines, root, SHA) == [
            f"{SHA}:desired/a.yaml:14:3: error: tokenLifetime: too long",
            f"{SHA}: other",
        ]

    def test_status_shows_the_revision_only_for_a_git_source(self) -> None:
        board = StatusBoard("ctl", "git://host/desired.git#main")
        assert "revision" not in board.as_json()["controller"]["desiredState"]
        board.revision = SHA
        board.desired_state([f"{SHA}:a.yaml:1:1: error: x"], datetime.now(UTC))
        shown = board.as_json()["controller"]["desiredState"]
        assert shown == {
            "path": "git://host/desired.git#main",
            "errors": [f"{SHA}:a.yaml:1:1: error: x"],
            "revision": SHA,
        }

    def test_the_change_alert_names_author_subject_and_revision(self) -> None:
        alert = desired_state_changed("git://h/d.git#main", SHA, "Alice", "orders: 20m tokens")
        assert alert.title == "Desired state changed by Alice: orders: 20m tokens"
        assert SHA in alert.text
        assert alert.status == "changed"


class TestRevisionInLogs:
    def test_a_taken_revision_reaches_the_lines_of_tasks_already_running(self) -> None:
        """The workers start before a new commit is taken; their lines must carry it."""
        stream = io.StringIO()
        configure_logging(stream)
        log = structlog.get_logger("ecs_oauth.daemon")

        async def worker(taken: asyncio.Event) -> None:
            await taken.wait()
            log.info("change", object="Service/a")
            log.info("desired_state_invalid", revision="f" * 40)

        async def main() -> None:
            taken = asyncio.Event()
            running = asyncio.create_task(worker(taken))
            await asyncio.sleep(0)
            bind_process_fields(revision=SHA)
            taken.set()
            await running

        try:
            asyncio.run(main())
            unbind_process_fields("revision")
            log.info("stopped")
        finally:
            unbind_process_fields("revision")
        change, invalid, stopped = [json.loads(line) for line in stream.getvalue().splitlines()]
        assert change["revision"] == SHA
        assert invalid["revision"] == "f" * 40  # a line that names a revision keeps its own
        assert "revision" not in stopped


class KeptSecret:
    """Where the webhook secret is kept (Secrets Manager), and a clock the test moves."""

    def __init__(self, value: str, now: float = 0.0) -> None:
        self.value = value
        self.now = now
        self.reads = 0
        self.fetched = 0

    async def read(self) -> str:
        self.reads += 1
        return self.value

    def hook(self) -> GitHook:
        return GitHook(self.value, self.read, self.fetch, clock=lambda: self.now)

    def fetch(self) -> None:
        self.fetched += 1


class TestWebhookSecretRotation:
    """The secret is re-read when a request fails the check, at most once a minute."""

    BODY = b'{"ref": "refs/heads/main"}'

    @staticmethod
    def signed(secret: str, body: bytes) -> dict[str, str]:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return {"X-Hub-Signature-256": f"sha256={digest}"}

    async def post(self, hook: GitHook, secret: str) -> int:
        app = web.Application()
        app.router.add_post("/hooks/git", hook.handle)
        async with test_utils.TestClient(test_utils.TestServer(app)) as client:
            headers = self.signed(secret, self.BODY)
            response = await client.post("/hooks/git", data=self.BODY, headers=headers)
            return response.status

    async def test_a_secret_rotated_where_it_is_kept_is_accepted_once_a_minute_passed(
        self,
    ) -> None:
        kept = KeptSecret("old")
        hook = kept.hook()
        kept.value = "new"

        assert await self.post(hook, "new") == 401  # the secret was read just now
        kept.now = REREAD_AFTER
        assert await self.post(hook, "new") == 202
        assert (kept.reads, kept.fetched) == (1, 1)
        assert await self.post(hook, "old") == 401  # the rotated-out secret no longer counts

    async def test_a_flood_of_bad_signatures_reads_the_secret_at_most_once_a_minute(
        self,
    ) -> None:
        kept = KeptSecret("s", now=REREAD_AFTER)
        hook = kept.hook()
        kept.now *= 2

        statuses = [await self.post(hook, "guess") for _ in range(20)]

        assert statuses == [401] * 20
        assert (kept.reads, kept.fetched) == (1, 0)

    async def test_a_secret_that_cannot_be_read_keeps_the_one_held(self) -> None:
        kept = KeptSecret("s")
        hook = GitHook("s", self.unreadable, kept.fetch, clock=lambda: REREAD_AFTER)

        assert await self.post(hook, "x") == 401
        assert await self.post(hook, "s") == 202
        assert kept.fetched == 1

    @staticmethod
    async def unreadable() -> str:
        raise RuntimeError("AccessDenied")
