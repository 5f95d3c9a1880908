"""Preflight decisions counted by day, agent, customer and/or block reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping, Optional, Tuple, cast

#: A dimension decisions can be counted by.
DecisionDimension = Literal["agent", "customer", "day", "reason"]


@dataclass(frozen=True)
class DecisionSummaryRow:
    """One row of a decision count; the grouped dimensions are set, the others ``None``.

    ``reason`` is ``None`` both when not grouped by reason and, grouped by reason, for the row of
    approved decisions.
    """

    #: How many decisions were counted.
    decisions: int
    #: The sum of their estimates.
    estimated_units: int
    #: ``YYYY-MM-DD`` (UTC), when grouped by day.
    day: Optional[str] = None
    agent_id: Optional[str] = None
    customer_id: Optional[str] = None
    #: The block reason when grouped by reason; ``None`` for approved decisions.
    reason: Optional[Literal["budget_exhausted", "ceiling_exceeded"]] = None


@dataclass(frozen=True)
class DecisionSummary:
    """The answer of ``client.admin.decisions.summary``."""

    group_by: Tuple[DecisionDimension, ...]
    data: Tuple[DecisionSummaryRow, ...]

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> DecisionSummary:
        """Maps the server's JSON."""
        group_by = wire.get("group_by", ())
        dimensions = [group_by] if isinstance(group_by, str) else list(group_by)
        return cls(
            group_by=tuple(cast(DecisionDimension, dimension) for dimension in dimensions),
            data=tuple(
                DecisionSummaryRow(
                    decisions=row["decisions"],
                    estimated_units=row["estimated_units"],
                    day=row.get("day"),
                    agent_id=row.get("agent_id"),
                    customer_id=row.get("customer_id"),
                    reason=row.get("reason"),
                )
                for row in wire["data"]
            ),
        )
