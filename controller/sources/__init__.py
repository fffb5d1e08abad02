"""Where the desired state comes from: a local folder (``run -f``) or a git repository
(``source.git``), both behind one seam: the last valid state, a stream of changes, and
what to report about the revision being reconciled. The daemon wires one of them; it never
knows which."""

from controller.sources._folder import DesiredSource, same_state
from controller.sources._git import GitDesiredSource, open_source
from controller.sources._git_repo import Commit, GitError

__all__ = [
    "Commit",
    "DesiredSource",
    "GitDesiredSource",
    "GitError",
    "open_source",
    "same_state",
]
