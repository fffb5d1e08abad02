"""One object's drifts as one incident: one message when found, one when all are gone.

Ops got a "drifted" and a "back in sync" message per resource for one reverted ``apply``;
an incident groups what one reconcile of one object found, so chat hears once. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from controller.alerts._model import Alert, Drift, digest, fingerprint


def incident_fingerprint(drifts: Sequence[Drift]) -> str:
    """The object and the fingerprints of the drifts that opened the incident, in any
    order; its "resolved" message carries the same one."""
    object = _one_object(drifts)
    return digest("incident", object, *sorted({fingerprint(drift) for drift in drifts}))


def drift_alert(drifts: Sequence[Drift], *, incident: str | None = None) -> Alert:
    """The drifts one reconcile of one object found, in one message.

    ``incident`` is the fingerprint of an incident still open that these drifts add to
    (a further field drifted while the first is left alone in detect mode).
    """
    drifts = _unique(drifts)
    object = _one_object(drifts)
    corrected = all(drift.corrected for drift in drifts)
    done = "corrected" if corrected else "left alone (detect mode)"
    actor = _actor(drifts)
    by = f" Changed by {actor}." if actor else ""
    title = f"{'More drift' if incident else 'Drift'} {done} on {object}"
    return Alert(
        kind="drift",
        object=object,
        resource=_resources(drifts),
        paths=_paths(drifts),
        title=title,
        text=f"{object}: {_where(drifts)} drifted; {done}.{by}",
        status="corrected" if corrected else "left-alone",
        fingerprint=incident or incident_fingerprint(drifts),
        drifts=drifts,
        actor=actor,
    )


def resolved_alert(drifts: Sequence[Drift], *, incident: str | None = None) -> Alert:
    """Every drift of the incident is gone: corrected by us, or put back by hand."""
    drifts = _unique(drifts)
    object = _one_object(drifts)
    return Alert(
        kind="resolved",
        object=object,
        resource=_resources(drifts),
        paths=_paths(drifts),
        title=f"Drift resolved on {object}",
        text=f"{object}: back in sync ({_where(drifts)}).",
        status="resolved",
        fingerprint=incident or incident_fingerprint(drifts),
        drifts=drifts,
        actor=_actor(drifts),
    )


def _unique(drifts: Sequence[Drift]) -> tuple[Drift, ...]:
    if not drifts:
        raise ValueError("an incident needs at least one drift")
    return tuple({fingerprint(drift): drift for drift in drifts}.values())


def _one_object(drifts: Sequence[Drift]) -> str:
    objects = list(dict.fromkeys(drift.object for drift in drifts))
    if len(objects) != 1:
        raise ValueError(f"an incident is about one object, got {objects}")
    return objects[0]


def _resources(drifts: Iterable[Drift]) -> str:
    return ", ".join(dict.fromkeys(drift.resource for drift in drifts))


def _paths(drifts: Iterable[Drift]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(path for drift in drifts for path in drift.paths))


def _actor(drifts: Iterable[Drift]) -> str | None:
    actors = list(dict.fromkeys(drift.actor for drift in drifts if drift.actor))
    return ", ".join(actors) if actors else None


def _where(drifts: Iterable[Drift]) -> str:
    """ "ecs:task-definition orders-api (taskRoleArn, cpu); iam:role x (the whole resource)"."""
    return "; ".join(f"{drift.resource} {drift.id} ({_listed(drift.paths)})" for drift in drifts)


def _listed(paths: Iterable[str]) -> str:
    unique = list(dict.fromkeys(paths))
    return ", ".join(unique) if unique else "the whole resource"
