"""A new project and its first admin key."""

from __future__ import annotations

from dataclasses import dataclass

from ._project import Project


@dataclass(frozen=True)
class Registration:
    """A new project and its first ``admin`` key (shown this once)."""

    project: Project
    #: The admin key (``agb_...``). Store it now: it is never shown again.
    key: str

    def __repr__(self) -> str:
        return f"Registration(project={self.project!r}, key='***')"
