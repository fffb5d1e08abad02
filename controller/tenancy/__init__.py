"""Tenancy: what the platform's settings let each team's desired state declare.

Pure, like the desired-state layer it reads: settings models and admission rules, no
I/O. Public API: :class:`Tenancy`, :class:`Team`, :func:`admit`.
"""

from controller.tenancy._admit import admit
from controller.tenancy._model import Team, Tenancy

__all__ = ["Team", "Tenancy", "admit"]
