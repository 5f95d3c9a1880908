"""Units added to a customer's budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional


@dataclass(frozen=True)
class Grant:
    """Units added to a customer's budget (a top-up)."""

    #: ``gnt_...``
    id: str
    customer_id: str
    units: int
    reason: Optional[str]
    created_at: str

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Grant:
        """Maps the server's JSON."""
        return cls(
            id=wire["id"],
            customer_id=wire["customer_id"],
            units=wire["units"],
            reason=wire.get("reason"),
            created_at=wire["created_at"],
        )
