"""What one run used and holds under its ceiling, as ``client.admin.runs.get`` answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional


@dataclass(frozen=True)
class RunSummary:
    """A run: every preflight and record that carried one ``run_id``, under one ceiling.

    Named so as not to clash with :class:`agentbill.Run`, the handle ``with client.run(...)``
    hands out.
    """

    run_id: str
    #: Fixed by the first preflight of the run that named one; ``None`` without.
    ceiling: Optional[int]
    #: Units recorded for the run.
    used_units: int
    #: Units held by the run's open reservations.
    reserved_units: int
    #: What the run may still use under its ceiling (never below 0); ``None`` without a ceiling.
    remaining_units: Optional[int]
    #: When the run was first seen (ISO 8601).
    created_at: str

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> RunSummary:
        """Maps the server's JSON."""
        return cls(
            run_id=wire["run_id"],
            ceiling=wire.get("ceiling"),
            used_units=wire["used_units"],
            reserved_units=wire["reserved_units"],
            remaining_units=wire.get("remaining_units"),
            created_at=wire["created_at"],
        )
