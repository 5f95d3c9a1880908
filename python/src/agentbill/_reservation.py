"""A hold on a customer's units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping, Optional

#: The state of a hold.
ReservationStatus = Literal["open", "settled", "released", "expired"]


@dataclass(frozen=True)
class Reservation:
    """A hold on a customer's units, made by a reserving preflight."""

    #: ``rsv_...``
    id: str
    status: ReservationStatus
    customer_id: str
    agent_id: str
    run_id: Optional[str]
    #: The units held.
    units: int
    #: When an open hold lapses (ISO 8601).
    expires_at: str
    created_at: str
    #: When it was settled, released or expired; ``None`` while open.
    closed_at: Optional[str]

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Reservation:
        """Maps the server's JSON."""
        return cls(
            id=wire["id"],
            status=wire["status"],
            customer_id=wire["customer_id"],
            agent_id=wire["agent_id"],
            run_id=wire.get("run_id"),
            units=wire["units"],
            expires_at=wire["expires_at"],
            created_at=wire["created_at"],
            closed_at=wire.get("closed_at"),
        )
