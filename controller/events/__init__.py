"""Events first, polling as the safety net: CloudTrail API calls, delivered by EventBridge
to an SQS queue, name the objects to reconcile now and who changed them.

The mapping from an event to reconcile keys is pure (``decide``, ``objects_touched``,
``managed_index``) and unit-tested with CloudTrail-shaped events; ``ChangeEvents`` is the
daemon's thin loop around it. Modules are private; this is the seam.
"""

from controller.events._actors import LastActors
from controller.events._aws import EventQueue, Message
from controller.events._decide import Decision, decide
from controller.events._envelope import ApiCall, MalformedEvent, parse_event
from controller.events._index import ManagedIndex, managed_index
from controller.events._listener import ChangeEvents
from controller.events._principal import is_own
from controller.events._route import ROUTES, event_names, objects_touched

__all__ = [
    "ROUTES",
    "ApiCall",
    "ChangeEvents",
    "Decision",
    "EventQueue",
    "LastActors",
    "MalformedEvent",
    "ManagedIndex",
    "Message",
    "decide",
    "event_names",
    "is_own",
    "managed_index",
    "objects_touched",
    "parse_event",
]
