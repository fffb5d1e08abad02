"""Plans: pure diffing of desired against observed documents, and their rendering."""

from controller.plan._context import Context
from controller.plan._diff import Sensitive, diff_documents, redact
from controller.plan._json import FORMAT_VERSION, plan_document, render_json
from controller.plan._markdown import render_markdown
from controller.plan._model import (
    ACTIONS,
    KNOWN_AFTER_APPLY,
    SENSITIVE,
    Action,
    Change,
    FieldChange,
    Plan,
    Problem,
    Withheld,
)
from controller.plan._render import NO_CHANGES, problem_line, render_text, summary_line
from controller.plan._saved import (
    Fingerprint,
    Inputs,
    SavedPlan,
    SavedPlanError,
    allows,
    digest,
    in_memory,
    load_saved,
    plan_changed,
    saved_document,
)
from controller.plan._words import apply_summary, planned, progress_line, under_way

__all__ = [
    "ACTIONS",
    "FORMAT_VERSION",
    "KNOWN_AFTER_APPLY",
    "NO_CHANGES",
    "SENSITIVE",
    "Action",
    "Change",
    "Context",
    "FieldChange",
    "Fingerprint",
    "Inputs",
    "Plan",
    "Problem",
    "SavedPlan",
    "SavedPlanError",
    "Sensitive",
    "Withheld",
    "allows",
    "apply_summary",
    "diff_documents",
    "digest",
    "in_memory",
    "load_saved",
    "plan_changed",
    "plan_document",
    "planned",
    "problem_line",
    "progress_line",
    "redact",
    "render_json",
    "render_markdown",
    "render_text",
    "saved_document",
    "summary_line",
    "under_way",
]
