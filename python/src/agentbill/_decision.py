"""A stored preflight decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping, Optional

#: Where the estimate of a preflight came from.
EstimateSource = Literal["request", "history", "default"]


@dataclass(frozen=True)
class Decision:
    """A stored preflight decision, approved or blocked."""

    #: ``dec_...``
    id: str
    approved: bool
    reason: Optional[Literal["budget_exhausted", "ceiling_exceeded"]]
    customer_id: str
    agent_id: str
    run_id: Optional[str]
    estimated_units: int
    estimate_source: EstimateSource
    ceiling: Optional[int]
    remaining_units: Optional[int]
    reservation_id: Optional[str]
    created_at: str

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Decision:
        """Maps the server's JSON."""
        return cls(
            id=wire["id"],
            approved=wire["approved"],
            reason=wire.get("reason"),
            customer_id=wire["customer_id"],
            agent_id=wire["agent_id"],
            run_id=wire.get("run_id"),
            estimated_units=wire["estimated_units"],
            estimate_source=wire.get("estimate_source", "request"),
            ceiling=wire.get("ceiling"),
            remaining_units=wire.get("remaining_units"),
            reservation_id=wire.get("reservation_id"),
            created_at=wire["created_at"],
        )
