"""One plan or apply: its loaded inputs, its selection, and what they digest to.

Built from the command line, or from the inputs a saved plan recorded, through the same
steps, so that ``apply FILE`` reads exactly what ``plan -out FILE`` read.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from controller.cli._common import print_diagnostics
from controller.cli._handoff import NO_DESIRED_STATE, sandbox_mismatch
from controller.cli._select import Selection, SelectorError, parse_selector, select
from controller.config import Settings, load_desired, load_settings
from controller.desired import DesiredState, DesiredStateError
from controller.plan import Fingerprint, Inputs, digest

if TYPE_CHECKING:
    from controller.engine import RunOptions


@dataclass(frozen=True)
class Job:
    state: DesiredState
    settings: Settings
    inputs: Inputs
    selection: Selection | None
    shown_path: str  # the desired-state path as the user gave it

    def options(self, **more: Any) -> RunOptions:
        from controller.engine import RunOptions

        if self.selection is None:
            return RunOptions(orphans=True, **more)
        return RunOptions(
            only=self.selection.keys,
            orphans=True,
            orphans_of=self.selection.undeclared,
            **more,
        )

    def fingerprint(self, reads: dict[str, dict[str, str]] | None = None) -> Fingerprint:
        """The settings and the (selected) desired objects, digested; with ``reads``, the
        live state the engine read too."""
        keys = self.selection.keys if self.selection is not None else self.state.sources
        desired = {
            key: digest(self.state.sources[key].obj.model_dump(mode="json", by_alias=True))
            for key in sorted(keys)
            if key in self.state.sources
        }
        settings = digest(self.settings.model_dump(mode="json", by_alias=True))
        return Fingerprint(settings, desired, reads or {})


def inputs_of(args: argparse.Namespace) -> Inputs | None:
    """The command line's inputs, paths made absolute so a saved plan works from anywhere."""
    if args.path is None:
        print(NO_DESIRED_STATE, file=sys.stderr)
        return None
    try:
        selector = parse_selector(args.targets, args.labels)
    except SelectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    return Inputs(
        desired=str(Path(args.path).resolve()),
        values=tuple(str(Path(v).resolve()) for v in args.values),
        assignments=tuple(args.assignments),
        prune=bool(args.prune),
        force=bool(args.force),
        targets=selector.targets,
        labels=tuple(str(r) for r in selector.labels),
    )


def load_job(inputs: Inputs, shown_path: str) -> Job | None:
    """Settings, desired state and selection, or None after printing what is wrong."""
    assignments = [*inputs.assignments, *(["prune.enabled=true"] if inputs.prune else [])]
    try:
        settings = load_settings([Path(v) for v in inputs.values], assignments)
        state = load_desired(Path(inputs.desired), settings)
    except DesiredStateError as exc:
        print_diagnostics(exc)
        return None
    if (mismatch := sandbox_mismatch(state, os.environ)) is not None:
        print(mismatch, file=sys.stderr)
        return None
    try:
        selector = parse_selector(inputs.targets, inputs.labels)
        selection = None if selector.empty else select(state, selector)
    except SelectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    return Job(state, settings, inputs, selection, shown_path)
