"""DynamoDB behaviour AWS documents and moto (5.x) lacks: reads are eventually consistent
unless asked otherwise. moto always answers with the latest write, so a lease that read
without ``ConsistentRead`` would pass here and fail in AWS, where a standby could see a
holder's old record version and take over a lease that was just renewed.
"""

from __future__ import annotations

import copy
import json
import zlib
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.iam.models import get_account_id_from
from werkzeug.wrappers import Response

from controller.sandbox._aws_rule_kinds import EarlierStates, Rejection, Windows
from controller.sandbox._aws_wire import AwsCall

ITEM_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
EVENTUAL_READS = (
    "DynamoDB uses eventually consistent reads, unless you specify otherwise. [...] the "
    "response might not reflect the results of a recently completed write operation."
)


class StaleReads:
    """GetItem without ``ConsistentRead`` answers as the item was ``dynamodb_read_lag``
    seconds ago: before each item write the item as it was is copied; a plain GetItem of
    an item written within the window gets the copy from before its first write inside
    the window (no item if it did not exist then). A consistent read stays current."""

    def __init__(self) -> None:
        self._writes = EarlierStates()

    def remember(self, call: AwsCall, _windows: Windows) -> Rejection | None:
        """Copy the item before ``call`` writes it; never rejects."""
        if call.name not in ITEM_WRITES:
            return None
        found = _moto_item(call)
        if found is None:
            return None  # no such table: moto answers ResourceNotFoundException
        self._writes.copy(call, *found)
        return None

    def rewrite(self, call: AwsCall, response: Response, windows: Windows) -> None:
        if call.name == "GetItem":
            if response.status_code == 200 and call.params.get("ConsistentRead") is not True:
                self._stale(call, response, windows.dynamodb_read_lag)
            return
        self._writes.answered(call, response, windows.dynamodb_read_lag)

    def _stale(self, call: AwsCall, response: Response, lag: float) -> None:
        found = _moto_item(call)
        if found is None:
            return
        earlier = self._writes.since(call.arrived - lag)
        if found[0] not in earlier:
            return
        before = earlier[found[0]]
        body = json.dumps({"Item": before} if before is not None else {}).encode()
        response.set_data(body)
        response.headers["x-amz-crc32"] = str(zlib.crc32(body))  # botocore checks it


def _moto_item(call: AwsCall) -> tuple[tuple[str, ...], dict[str, Any] | None] | None:
    """The item ``call`` names (by ``Key``, or by ``Item`` for PutItem) as moto holds it now:
    its identity and attributes, or None when the table does not exist."""
    backend = dynamodb_backends[get_account_id_from(call.access_key)][call.region]
    name = call.params.get("TableName", "")
    table = backend.tables.get(name)
    if table is None:
        return None
    given = call.params.get("Key") or call.params.get("Item") or {}
    keys = [attr for attr in (table.hash_key_attr, table.range_key_attr) if attr]
    key = {attr: given.get(attr) for attr in keys}
    identity = (call.region, get_account_id_from(call.access_key), name, json.dumps(key))
    try:
        item = backend.get_item(name, key)
    except Exception:  # a malformed key: moto answers the error itself
        return None
    attributes = copy.deepcopy(item.to_json()["Attributes"]) if item is not None else None
    return identity, attributes
