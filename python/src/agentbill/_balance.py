"""A customer's ledger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping, Optional

#: A budget period; ``none`` never renews. Periods start at UTC boundaries.
BudgetPeriod = Literal["none", "day", "week", "month"]


@dataclass(frozen=True)
class Balance:
    """A customer's ledger right now."""

    customer_id: str
    #: The base allowance (free units or the customer's limit) plus grants, for this period.
    granted_units: int
    #: Units recorded in the current period.
    used_units: int
    #: Units held by open reservations.
    reserved_units: int
    #: ``max(0, granted - used - reserved)``; ``None`` when unlimited.
    remaining_units: Optional[int]
    #: ``max(0, used - granted)``.
    overage_units: int
    unlimited: bool
    period: BudgetPeriod
    #: The current period's start (ISO 8601), ``None`` when ``period`` is ``none``.
    period_start: Optional[str]
    #: The current period's end (ISO 8601), ``None`` when ``period`` is ``none``.
    period_end: Optional[str]

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Balance:
        """Maps the server's JSON."""
        return cls(
            customer_id=wire["customer_id"],
            granted_units=wire["granted_units"],
            used_units=wire["used_units"],
            reserved_units=wire["reserved_units"],
            remaining_units=wire.get("remaining_units"),
            overage_units=wire.get("overage_units", 0),
            unlimited=wire.get("unlimited", False),
            period=wire.get("period", "none"),
            period_start=wire.get("period_start"),
            period_end=wire.get("period_end"),
        )
