"""A customer of the project: its budget settings and its balance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from ._balance import Balance, BudgetPeriod


@dataclass(frozen=True)
class Customer:
    """A customer: its budget settings and its balance now."""

    customer_id: str
    #: The base allowance per period; ``None`` means the project's ``free_units``.
    limit_units: Optional[int]
    unlimited: bool
    period: BudgetPeriod
    #: Your own data about the customer.
    metadata: Mapping[str, Any]
    created_at: str
    balance: Balance

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Customer:
        """Maps the server's JSON."""
        return cls(
            customer_id=wire["customer_id"],
            limit_units=wire.get("limit_units"),
            unlimited=wire.get("unlimited", False),
            period=wire.get("period", "none"),
            metadata=wire.get("metadata") or {},
            created_at=wire["created_at"],
            balance=Balance.from_wire(wire["balance"]),
        )
