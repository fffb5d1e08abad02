"""The parts every strict rule is made of: what it may answer and what it is given.

A rule looks at a call before it reaches moto (``Check``: reject it, or note
what it needs) and may edit moto's answer afterwards (``Rewrite``: show the
world as AWS would, for example a listing that lags behind). Both get the
current time windows, which the control API can change while a server runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.wrappers import Response

from controller.sandbox._aws_wire import AwsCall


@dataclass(frozen=True)
class Rejection:
    """The AWS error a rule answers instead of moto."""

    code: str
    message: str
    status: int = 400


@dataclass(frozen=True)
class Windows:
    """How far behind AWS's eventually consistent views run, in seconds."""

    list_secrets_lag: float = 2.0
    iam_visibility: float = 2.0
    dynamodb_read_lag: float = 1.0


Check = Callable[[AwsCall, Windows], Rejection | None]
Rewrite = Callable[[AwsCall, Response, Windows], None]
