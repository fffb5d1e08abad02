"""What ``ecs-oauth COMMAND --help`` says beyond the options: what the command is for, its
exit codes and an example. Kept in one table so every command reads alike; the parser
gives each subcommand its entry once every command registered (:func:`document`).
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Help:
    description: str
    exit_codes: tuple[tuple[int, str], ...]
    examples: tuple[str, ...]

    def epilog(self) -> str:
        codes = "\n".join(f"  {code}  {meaning}" for code, meaning in self.exit_codes)
        examples = "\n".join(f"  {example}" for example in self.examples)
        return f"Exit codes:\n{codes}\n\nExample:\n{examples}"


_ERROR = (1, "error: invalid input, or a failure it names in one line")
_DESIRED = "The desired state is -f PATH, or $ECS_OAUTH_DESIRED (the sandbox's env file sets it)."

HELP: Mapping[str, Help] = {
    "validate": Help(
        "Check a desired state (and the settings it is admitted under) without touching "
        "AWS: every problem on a line of its own, as FILE:LINE:COL: error: MESSAGE. " + _DESIRED,
        ((0, "valid"), (1, "invalid: the errors are listed, then their count")),
        ("ecs-oauth validate -f examples/ --values helm-style-config/values.yaml",),
    ),
    "plan": Help(
        "Read the live world and show what apply would change, as a Terraform-like plan "
        "(+ create, ~ update, - delete, > adopt). Never writes. " + _DESIRED,
        (
            (0, "the plan was made (with --detailed-exitcode: and there are no changes)"),
            (1, "error, or an object that cannot converge (listed as a problem)"),
            (2, "with --detailed-exitcode: there are changes"),
        ),
        (
            "ecs-oauth plan -f examples/ --detailed-exitcode",
            "ecs-oauth plan -o json",
            "ecs-oauth plan -o markdown > comment.md",
        ),
    ),
    "apply": Help(
        "Converge the live world to the desired state once, then print what changed. "
        "Takes the controller's lease when leaderElection.table is set. " + _DESIRED,
        ((0, "converged"), _ERROR),
        ("ecs-oauth apply -f examples/ --values helm-style-config/values.yaml",),
    ),
    "run": Help(
        "The reconciling daemon: converges on start, at every resyncInterval and within a "
        "second of an edit of the desired state; serves /healthz, /readyz, /status and "
        "/metrics on http.listen. Logs are console lines on a terminal, JSON lines "
        "otherwise (--log-format). " + _DESIRED,
        ((0, "stopped by SIGTERM or SIGINT after in-flight reconciles finished"), _ERROR),
        ("ecs-oauth run -f desired/ --values values.yaml --set concurrency=16",),
    ),
    "status": Help(
        "What the running daemon reports: one row per object with its Ready, Synced and "
        "Drifted conditions, when the latest of them changed (SINCE) and why it is not "
        "fine; -o json prints /status as is. The daemon is --url, or $ECS_OAUTH_URL.",
        (
            (0, "the daemon answered (with --exit-code: and every object is Ready, in sync)"),
            (1, "it could not be reached or answered an error; with --exit-code: not all well"),
        ),
        ("ecs-oauth status --url http://127.0.0.1:8080",),
    ),
    "rotate": Help(
        "Rotate one Service's client credential now, with the old one valid until the "
        "rollout completed and gracePeriod passed: create, set, test, finish, rollout, "
        "revoke. Resumes a rotation already under way; Ctrl-C leaves it saved in AWS. " + _DESIRED,
        (
            (0, "rotated (with --no-wait: rolled out, revoke left for later)"),
            (1, "error, or a phase failed (the old credential stays valid)"),
            (130, "interrupted: the rotation is saved in AWS and is finished later"),
        ),
        ("ecs-oauth rotate orders-api -f examples/ --no-wait",),
    ),
    "sandbox": Help(
        "Everything on this machine, no AWS account and no network: a local AWS (moto), "
        "a local OAuth server, the daemon on a working copy of the desired state (default "
        "the examples). It writes an env file; `source` it in another shell and every "
        "command there works against the sandbox with no -f or flags.",
        ((0, "stopped with Ctrl-C"), _ERROR),
        ("ecs-oauth sandbox", "source FOLDER/sandbox.env  # in another shell; FOLDER as printed"),
    ),
    "token": Help(
        "Obtain a token exactly as the Service's tasks do (from its secret, through the "
        "task client) and show its claims; never the token or the secret. " + _DESIRED,
        ((0, "a token was obtained"), _ERROR),
        ("ecs-oauth token orders-api -f examples/",),
    ),
    "doctor": Help(
        "Walk the chain a task of the Service depends on (secret, token, scopes, clock, "
        "task definition, task role, deployment): PASS or FAIL per link, and for each "
        "FAIL what to do (by hand in detect mode, where apply changes nothing). " + _DESIRED,
        ((0, "every check passed"), (1, "a check failed, or an error")),
        ("ecs-oauth doctor orders-api -f examples/", "ecs-oauth doctor stock-sync -o json"),
    ),
    "wait": Help(
        "Block until the running daemon reports the condition on every named object (every "
        "object when none is named), asking its /status once a second; a daemon not "
        "answering yet is waited for like any unmet condition. At the timeout, one line "
        "names each object not there yet and the daemon's reason.",
        (
            (0, "the condition holds"),
            (1, "timed out (one line says what is not there yet), or an error"),
        ),
        (
            "ecs-oauth wait --for=Ready --timeout 5m",
            "ecs-oauth wait --for=condition=Drifted=False Service/orders-api",
        ),
    ),
    "config": Help(
        "Print the settings in force once the defaults, each --values file (later files "
        "win) and each --set are applied, as a values file headed by its layers, or as "
        "JSON. Credentials show as the references written ({fromEnv: NAME}, "
        "{fromSecretArn: ARN}), never resolved.",
        ((0, "the settings are valid (printed)"), (1, "they are not (each problem printed)")),
        (
            "ecs-oauth config --values helm-style-config/values.yaml "
            "--values helm-style-config/environments/production.yaml --set concurrency=16",
        ),
    ),
    "crds": Help(
        "Regenerate the Kubernetes-style CRDs and the editor's JSON schema from the models.",
        ((0, "written"), _ERROR),
        ("ecs-oauth crds --out crds/",),
    ),
}


def document(commands: Mapping[str, argparse.ArgumentParser]) -> None:
    """Give each subcommand its description and epilog (where it set none itself), laid
    out as written."""
    for name, parser in commands.items():
        entry = HELP.get(name)
        if entry is None:
            continue
        parser.description = parser.description or textwrap.fill(entry.description, 79)
        parser.epilog = parser.epilog or entry.epilog()
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
