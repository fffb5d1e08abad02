"""A bad setting in the same words as a bad desired-state field: the dotted path as
written, what was expected with an example, and the setting meant when a name is
misspelt or put in the wrong section."""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from controller.config._settings import CONTROLLER_ID, STATUS_URL, Settings
from controller.desired import PATTERN_HINTS, describe, did_you_mean, models_by_name

Loc = tuple[int | str, ...]
_MODELS = models_by_name([Settings])
_HINTS = {
    **PATTERN_HINTS,
    CONTROLLER_ID: "must be 1 to 128 letters, digits or _.:/=+@- (say, payments-prod)",
    STATUS_URL: "must be an http(s) URL, such as https://status.example.com/ecs-oauth",
}


def explain(error: ErrorDetails) -> str:
    """``DOTTED.PATH: what is wrong``."""
    loc: Loc = tuple(error["loc"])
    dotted = ".".join(map(str, loc))
    if error["type"] == "extra_forbidden":
        return f"{dotted}: unknown setting{_suggestion(loc, dotted)}"
    if error["type"] == "missing":
        return f"{dotted}: missing required setting"
    return f"{dotted}: {describe(error, loc, _MODELS, _HINTS)}"


def _suggestion(loc: Loc, dotted: str) -> str:
    """The setting an unknown ``loc`` may have meant, named in full: one of the same name in
    another section (``prune.concurrency`` meant ``concurrency``), else the closest one."""
    anywhere = _paths(Settings, "")
    same_name = [path for path in anywhere if path.rsplit(".", 1)[-1] == loc[-1]]
    if same_name:
        return f"; did you mean {same_name[0]!r}?"
    return did_you_mean(dotted, _section_paths(loc[:-1]) + anywhere)


def _section_paths(parents: Loc) -> list[str]:
    """The settings beside an unknown one, under the parents as written (team names too)."""
    model: type[BaseModel] | None = Settings
    keyed = False  # the last step entered a dict of models: the next part is a free key
    for part in parents:
        if model is None:
            return []
        if keyed:
            keyed = False
            continue
        field = _field(model, str(part))
        if field is None:
            return []
        model, keyed = _model_of(field.annotation)
    if model is None or keyed:
        return []
    prefix = "".join(f"{part}." for part in parents)
    return [f"{prefix}{field.alias or name}" for name, field in model.model_fields.items()]


def _paths(model: type[BaseModel], prefix: str) -> list[str]:
    """Every leaf setting's dotted path; a map of named entries is not expanded."""
    paths = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{field.alias or name}"
        inner, keyed = _model_of(field.annotation)
        paths.extend(_paths(inner, f"{path}.") if inner is not None and not keyed else [path])
    return paths


def _field(model: type[BaseModel], written: str) -> Any:
    for name, field in model.model_fields.items():
        if written in (name, field.alias):
            return field
    return None


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The section model a field holds, and whether it holds it under free keys."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if get_origin(annotation) is dict:
        inner, _ = _model_of(get_args(annotation)[1])
        return inner, inner is not None
    for arg in get_args(annotation):
        inner, keyed = _model_of(arg)
        if inner is not None:
            return inner, keyed
    return None, False
