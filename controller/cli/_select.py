"""``--target KIND/NAME`` and ``-l key=value``: which objects a command is about. Pure.

Label selectors read as kubectl's equality-based ones: ``key=value`` (or ``==``),
``key!=value`` (also true where the label is absent), ``key`` (present), ``!key``
(absent), comma-separated; every ``-l`` must hold. Targets are ORed with each other and
ANDed with the labels. For ``plan`` and ``apply`` a selection brings in what it depends
on, as Terraform's ``-target`` does: a Service's Role and identity provider must exist
before its task definition can name them.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from controller.desired import KINDS, DesiredState

_LABEL_KEY = re.compile(r"^([a-z0-9.-]+/)?[A-Za-z0-9_.-]{1,63}$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_KIND_BY_LOWER = {kind.lower(): kind for kind in KINDS}

Operator = Literal["=", "!=", "exists", "absent"]


class SelectorError(ValueError):
    """A ``--target`` or ``-l`` that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: Operator
    value: str = ""

    def holds(self, labels: Mapping[str, str]) -> bool:
        if self.operator == "exists":
            return self.key in labels
        if self.operator == "absent":
            return self.key not in labels
        if self.operator == "=":
            return labels.get(self.key) == self.value
        return labels.get(self.key) != self.value

    def __str__(self) -> str:
        if self.operator == "exists":
            return self.key
        if self.operator == "absent":
            return f"!{self.key}"
        return f"{self.key}{self.operator}{self.value}"


@dataclass(frozen=True)
class Selector:
    targets: tuple[str, ...] = ()  # "Service/orders-api"
    labels: tuple[Requirement, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.targets and not self.labels

    def matches(self, key: str, labels: Mapping[str, str]) -> bool:
        if self.targets and key not in self.targets:
            return False
        return all(requirement.holds(labels) for requirement in self.labels)

    def as_json(self) -> dict[str, list[str]]:
        return {"targets": list(self.targets), "labels": [str(r) for r in self.labels]}

    def __str__(self) -> str:
        parts = [f"--target {target}" for target in self.targets]
        if self.labels:
            parts.append("-l " + ",".join(str(r) for r in self.labels))
        return " ".join(parts)


def add_selector_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        dest="targets",
        action="append",
        default=[],
        metavar="KIND/NAME",
        help="only this object (and what it depends on); repeatable",
    )
    parser.add_argument(
        "-l",
        "--selector",
        dest="labels",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="only objects whose labels match (key=value, key!=value, key, !key; "
        "comma-separated; repeatable)",
    )


def parse_target(text: str) -> str:
    """``service/orders-api`` -> ``Service/orders-api`` (kinds in any case)."""
    kind, slash, name = text.partition("/")
    if not slash or not name or not kind:
        raise SelectorError(f"--target {text!r}: expected KIND/NAME, e.g. Service/orders-api")
    canonical = _KIND_BY_LOWER.get(kind.lower())
    if canonical is None:
        raise SelectorError(f"--target {text!r}: unknown kind {kind!r}; one of {', '.join(KINDS)}")
    return f"{canonical}/{name}"


def parse_requirement(text: str) -> Requirement:
    text = text.strip()
    if text.startswith("!"):
        requirement = Requirement(text[1:].strip(), "absent")
    elif "!=" in text:
        key, _, value = text.partition("!=")
        requirement = Requirement(key.strip(), "!=", value.strip())
    elif "=" in text:
        key, _, value = text.partition("==" if "==" in text else "=")
        requirement = Requirement(key.strip(), "=", value.strip())
    else:
        requirement = Requirement(text, "exists")
    if not _LABEL_KEY.match(requirement.key):
        raise SelectorError(
            f"-l {text!r}: {requirement.key!r} is not a label key (letters, digits, '-', '_', "
            "'.', at most 63, optionally after a 'prefix/'); e.g. -l team=payments"
        )
    if len(requirement.value) > 63 or not _LABEL_VALUE.match(requirement.value):
        raise SelectorError(
            f"-l {text!r}: {requirement.value!r} is not a label value (at most 63 letters, "
            "digits, '-', '_', '.', starting and ending with a letter or digit)"
        )
    return requirement


def parse_selector(targets: Iterable[str], labels: Iterable[str]) -> Selector:
    parsed_targets = tuple(dict.fromkeys(parse_target(t) for t in targets))
    requirements = tuple(
        parse_requirement(part) for text in labels for part in text.split(",") if part.strip()
    )
    if any(not text.strip() for text in labels):
        raise SelectorError("-l needs a selector, e.g. -l team=payments")
    return Selector(parsed_targets, requirements)


@dataclass(frozen=True)
class Selection:
    """What a selector picked from a desired state: the declared objects to reconcile
    (dependencies included) and the undeclared objects named as targets, whose orphaned
    resources alone are then listed or pruned."""

    keys: frozenset[str]
    undeclared: frozenset[str]


def dependencies(state: DesiredState, key: str) -> set[str]:
    """``key`` and every object it needs to exist first."""
    kind, name = key.split("/", 1)
    found = {key}
    if kind == "Service":
        found |= dependencies(state, f"Role/{state.services[name].spec.role}")
    elif kind == "Role":
        for scope in state.roles[name].spec.scopes:
            found |= dependencies(state, f"Scope/{scope}")
    elif kind == "Scope":
        found.add(f"IdentityProvider/{state.scopes[name].spec.provider}")
    return found


def select(state: DesiredState, selector: Selector) -> Selection:
    """The objects ``selector`` picks, or :class:`SelectorError` when it picks none."""
    picked = {
        key
        for key, placed in state.sources.items()
        if selector.matches(key, placed.obj.metadata.labels)
    }
    undeclared = frozenset(t for t in selector.targets if t not in state.sources)
    if not picked and not undeclared:
        raise SelectorError(f"{selector} matches no object of the desired state")
    keys = frozenset(dep for key in picked for dep in dependencies(state, key))
    return Selection(keys, undeclared)
