"""One recorded usage event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional


@dataclass(frozen=True)
class UsageEvent:
    """One recorded usage event."""

    #: ``evt_...``
    id: str
    customer_id: str
    agent_id: str
    run_id: Optional[str]
    units: int
    metadata: Mapping[str, Any]
    idempotency_key: str
    reservation_id: Optional[str]
    created_at: str

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> UsageEvent:
        """Maps the server's JSON."""
        return cls(
            id=wire["id"],
            customer_id=wire["customer_id"],
            agent_id=wire["agent_id"],
            run_id=wire.get("run_id"),
            units=wire["units"],
            metadata=wire.get("metadata") or {},
            idempotency_key=wire["idempotency_key"],
            reservation_id=wire.get("reservation_id"),
            created_at=wire["created_at"],
        )
