"""IAM behaviours moto lacks: eventual consistency, and boundaries that must exist.

AWS: "Changes that I make are not always immediately visible": a role just
created can be read back by GetRole, as its creator can, but account-wide
views such as GetAccountAuthorizationDetails do not list it yet. Here a role
is left out of those views for ``iam_visibility`` seconds after CreateRole
answered.

A permissions boundary is "the ARN of the managed policy": IAM refuses a
CreateRole or PutRolePermissionsBoundary naming a policy that does not exist
(NoSuchEntity), where moto checks only the ARN's form and sets it anyway.
"""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ElementTree

from moto.iam.models import get_account_id_from, iam_backends
from werkzeug.wrappers import Response

from controller.sandbox._aws_rule_kinds import Rejection, Windows
from controller.sandbox._aws_wire import AwsCall

BOUNDARY_OPERATIONS = frozenset({"CreateRole", "PutRolePermissionsBoundary"})


def boundary_policy_exists(call: AwsCall, _windows: Windows) -> Rejection | None:
    """A boundary names a managed policy of this account (or AWS's) that exists now."""
    arn = call.params.get("PermissionsBoundary")
    if not arn:
        return None
    account = get_account_id_from(call.access_key)
    partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
    backend = iam_backends[account][partition]
    if arn in backend.managed_policies or not backend.policy_arn_regex.match(arn):
        return None  # a malformed ARN is moto's to refuse (InvalidParameterValue)
    # IAM's own wording for this case, as terraform and CloudFormation users quote it.
    message = f"Scope ARN: {arn} does not exist or is not attachable."
    return Rejection("NoSuchEntity", message, status=404)


class RoleVisibility:
    """Remembers when each role was created and hides it from GAAD until it is visible."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._created: dict[tuple[str, str], float] = {}

    def rewrite(self, call: AwsCall, response: Response, windows: Windows) -> None:
        """Note a successful CreateRole; drop fresh roles from a GAAD answer."""
        if response.status_code != 200:
            return
        account = get_account_id_from(call.access_key)
        with self._lock:
            if call.name == "CreateRole":
                self._created[(account, call.params["RoleName"])] = time.monotonic()
                return
            horizon = call.arrived - windows.iam_visibility
            self._created = {key: at for key, at in self._created.items() if at > horizon}
            fresh = {name for (owner, name) in self._created if owner == account}
        if fresh:
            response.set_data(without_roles(response.get_data(), fresh))


def without_roles(body: bytes, names: set[str]) -> bytes:
    """A GetAccountAuthorizationDetails XML answer without the roles ``names``."""
    root = ElementTree.fromstring(body)  # noqa: S314 - moto's own answer, not outside input
    namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    removed = False
    for listing in root.iter(f"{namespace}RoleDetailList"):
        for member in list(listing):
            if member.findtext(f"{namespace}RoleName") in names:
                listing.remove(member)
                removed = True
    if not removed:
        return body
    ElementTree.register_namespace("", namespace.strip("{}"))
    rewritten: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return rewritten
