"""The project's settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional


@dataclass(frozen=True)
class Project:
    """The project's settings."""

    #: ``prj_...``
    id: str
    name: str
    #: Units every new customer gets for free.
    free_units: int
    #: Shown on blocked answers; ``{customer_id}`` is replaced by the customer's id.
    upgrade_url: Optional[str]
    #: How long a hold lasts when a preflight gives no ``ttl_seconds``.
    default_ttl_seconds: int
    created_at: str

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Project:
        """Maps the server's JSON."""
        return cls(
            id=wire["id"],
            name=wire["name"],
            free_units=wire["free_units"],
            upgrade_url=wire.get("upgrade_url"),
            default_ttl_seconds=wire["default_ttl_seconds"],
            created_at=wire["created_at"],
        )
