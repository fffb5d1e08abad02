"""Secrets Manager behaviour AWS documents and moto (5.x) lacks.

The checks read moto's own Secrets Manager state (in this process, behind the
middleware) rather than asking it over HTTP: moto's ListSecretVersionIds, for
one, reports every version as created just now.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from moto.iam.models import get_account_id_from
from moto.secretsmanager.models import _matches, secretsmanager_backends
from werkzeug.wrappers import Response

from controller.sandbox._aws_rule_kinds import EarlierStates, Rejection, Windows
from controller.sandbox._aws_wire import AwsCall

VERSION_QUOTA = 100
VERSION_KEPT_SECONDS = 24 * 3600
QUOTA_MESSAGE = "The request failed because it would exceed one of the Secrets Manager quotas."
STAGE_MISMATCH_MESSAGE = (
    "You provided a VersionStage that is not associated to the provided VersionId."
)
# Every call that changes what ListSecrets shows of a secret.
LISTED_CHANGES = frozenset(
    {
        "CreateSecret",
        "UpdateSecret",
        "PutSecretValue",
        "UpdateSecretVersionStage",
        "TagResource",
        "UntagResource",
        "DeleteSecret",
        "RestoreSecret",
    }
)


def moto_secret(call: AwsCall, secret_id: str) -> Any:
    """moto's record of a secret (by name or ARN) in the caller's account and Region, or None."""
    backend = secretsmanager_backends[get_account_id_from(call.access_key)][call.region]
    return backend.secrets.get(secret_id)


def stage_names_version(call: AwsCall, _windows: Windows) -> Rejection | None:
    """GetSecretValue: a VersionId and a VersionStage must name the same version."""
    version_id, stage = call.params.get("VersionId"), call.params.get("VersionStage")
    if not version_id or not stage:
        return None
    secret = moto_secret(call, call.params.get("SecretId", ""))
    version = secret.versions.get(version_id) if secret is not None else None
    if version is None or stage in version["version_stages"]:
        return None
    return Rejection("InvalidRequestException", STAGE_MISMATCH_MESSAGE)


def version_quota(call: AwsCall, _windows: Windows) -> Rejection | None:
    """A call that adds a version fails once the secret keeps its quota of versions.

    AWS removes unlabelled versions beyond the newest 100, but never one
    created in the last 24 hours, so a secret written faster than that fills up.
    """
    if call.name == "UpdateSecret" and not (
        "SecretString" in call.params or "SecretBinary" in call.params
    ):
        return None
    secret = moto_secret(call, call.params.get("SecretId", ""))
    if secret is None or call.params.get("ClientRequestToken") in secret.versions:
        return None  # moto answers a missing secret; a known token adds no version
    recent = time.time() - VERSION_KEPT_SECONDS
    kept = [
        version
        for version in secret.versions.values()
        if version["version_stages"] or version["createdate"] > recent
    ]
    if len(kept) < VERSION_QUOTA:
        return None
    return Rejection("LimitExceededException", QUOTA_MESSAGE)


class ListingLag:
    """ListSecrets answers as the world was ``list_secrets_lag`` seconds ago.

    Before every call that changes a secret's listing entry, the secret as it
    was is copied; once the change succeeded, ListSecrets shows, for each
    secret changed within the window, the copy taken before its first change
    inside the window, or leaves it out if it did not exist then. The window
    runs from the change's answer to the ListSecrets request; DescribeSecret
    stays current.
    """

    def __init__(self) -> None:
        self._changes = EarlierStates()

    def remember(self, call: AwsCall, _windows: Windows) -> Rejection | None:
        """Copy the secret before ``call`` changes it; never rejects."""
        if call.name not in LISTED_CHANGES:
            return None
        named = call.params.get("Name") if call.name == "CreateSecret" else None
        secret = moto_secret(call, named or call.params.get("SecretId", ""))
        if secret is None and named is None:
            return None  # moto answers ResourceNotFound; nothing changes
        key = (get_account_id_from(call.access_key), call.region, named or secret.name)
        self._changes.copy(call, key, copy.deepcopy(secret))
        return None

    def rewrite(self, call: AwsCall, response: Response, windows: Windows) -> None:
        """Record a change that succeeded; put the lagging entries into a ListSecrets answer."""
        if call.name == "ListSecrets":
            if response.status_code == 200:
                self._lag(call, response, windows.list_secrets_lag)
            return
        self._changes.answered(call, response, windows.list_secrets_lag)

    def _lag(self, call: AwsCall, response: Response, lag: float) -> None:
        account = get_account_id_from(call.access_key)
        then = {
            key[2]: before
            for key, before in self._changes.since(call.arrived - lag).items()
            if isinstance(key, tuple) and key[:2] == (account, call.region)
        }
        if not then:
            return
        document = json.loads(response.get_data())
        entries = [entry for entry in document["SecretList"] if entry["Name"] not in then]
        if not document.get("NextToken"):  # old entries join the last page only
            entries += [s.to_dict() for s in then.values() if _listed(s, call.params)]
        document["SecretList"] = entries
        response.set_data(json.dumps(document))


def _listed(secret: Any, params: dict[str, Any]) -> bool:
    """Whether ListSecrets with these parameters shows ``secret`` (None: it did not exist)."""
    if secret is None:
        return False
    if secret.deleted_date and not params.get("IncludePlannedDeletion"):
        return False
    return bool(_matches(secret, params.get("Filters", [])))
