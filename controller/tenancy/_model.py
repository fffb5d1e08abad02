"""What the platform grants each team: the ``tenancy`` section of the controller's settings.

It lives in the platform's values file, never in desired state: a team's YAML cannot
widen its own rights because it cannot reach this file.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.alias_generators import to_camel

from controller.desired._types import DNS1123_LABEL, IamPolicyArn

# A glob in AWS's own sense: '*' any run of characters, '?' one; everything else literal.
Glob = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,512}$")]
TeamName = Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=63)]


def _relative_folder(value: str) -> str:
    """A folder below the desired-state root, written with '/': the form git shows."""
    path = PurePosixPath(value)
    if not value.strip() or path.is_absolute() or ".." in path.parts or "\\" in value:
        raise ValueError(
            f"{value!r} must be a folder relative to the desired-state root, without '..'"
        )
    return path.as_posix()


Folder = Annotated[str, AfterValidator(_relative_folder)]


class _Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, alias_generator=to_camel, populate_by_name=True
    )


class Team(_Section):
    """One team's grant. Every list is an allowlist of globs; an empty list grants nothing."""

    paths: Annotated[list[Folder], Field(min_length=1)]
    ecs_services: list[Glob] = []
    task_definition_families: list[Glob] = []
    scopes: list[Glob] = []
    managed_policy_arns: list[Glob] = []
    execution_role_arns: list[Glob] = []


class Tenancy(_Section):
    teams: dict[TeamName, Team] = {}
    platform_paths: list[Folder] = []
    permissions_boundary_arn: IamPolicyArn | None = None

    @property
    def enforced(self) -> bool:
        """Whether files are assigned to owners at all: once the platform names a team or a
        platform folder, every desired-state file must fall under one of them."""
        return bool(self.teams or self.platform_paths)

    @model_validator(mode="after")
    def _folders_do_not_overlap(self) -> Self:
        owners = [
            (folder, f"team {name}") for name, team in self.teams.items() for folder in team.paths
        ]
        owners += [(folder, "platformPaths") for folder in self.platform_paths]
        for index, (folder, owner) in enumerate(owners):
            for other, other_owner in owners[index + 1 :]:
                if _within(folder, other) or _within(other, folder):
                    raise ValueError(
                        f"folder {folder!r} of {owner} overlaps {other!r} of {other_owner}; "
                        "each desired-state file must have exactly one owner"
                    )
        return self


def _within(folder: str, parent: str) -> bool:
    return parent == "." or folder == parent or folder.startswith(parent + "/")
