"""Usage summed by agent, customer and/or day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping, Optional, Tuple, cast

#: A dimension usage can be summed by.
UsageDimension = Literal["agent", "customer", "day"]


@dataclass(frozen=True)
class UsageRow:
    """One row of a usage sum; the grouped dimensions are set, the others ``None``."""

    units: int
    #: How many events were summed.
    events: int
    #: ``YYYY-MM-DD`` (UTC), when grouped by day.
    day: Optional[str] = None
    agent_id: Optional[str] = None
    customer_id: Optional[str] = None


@dataclass(frozen=True)
class UsageSummary:
    """The answer of ``client.admin.usage``."""

    group_by: Tuple[UsageDimension, ...]
    data: Tuple[UsageRow, ...]

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> UsageSummary:
        """Maps the server's JSON."""
        group_by = wire.get("group_by", ())
        dimensions = [group_by] if isinstance(group_by, str) else list(group_by)
        return cls(
            group_by=tuple(cast(UsageDimension, dimension) for dimension in dimensions),
            data=tuple(
                UsageRow(
                    units=row["units"],
                    events=row["events"],
                    day=row.get("day"),
                    agent_id=row.get("agent_id"),
                    customer_id=row.get("customer_id"),
                )
                for row in wire["data"]
            ),
        )
