"""Plans: pure diffing of desired against observed documents, and their rendering."""

from controller.plan._diff import Sensitive, diff_documents, redact
from controller.plan._model import (
    ACTIONS,
    KNOWN_AFTER_APPLY,
    SENSITIVE,
    Action,
    Change,
    FieldChange,
    Plan,
    Problem,
)
from controller.plan._render import render_json, render_text

__all__ = [
    "ACTIONS",
    "KNOWN_AFTER_APPLY",
    "SENSITIVE",
    "Action",
    "Change",
    "FieldChange",
    "Plan",
    "Problem",
    "Sensitive",
    "diff_documents",
    "redact",
    "render_json",
    "render_text",
]
