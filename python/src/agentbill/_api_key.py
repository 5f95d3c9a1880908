"""API keys, as listed and as created."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping, Optional

#: What a key may do: ``runtime`` (preflight, record, reservations, balance) or ``admin``.
KeyScope = Literal["runtime", "admin"]


@dataclass(frozen=True)
class ApiKey:
    """An API key as listed: never the secret, only its prefix and last four characters."""

    #: ``key_...``
    id: str
    name: str
    scope: KeyScope
    #: The key's first characters (``agb_AbCd``).
    prefix: str
    #: The key's last four characters.
    last4: str
    created_at: str
    #: When it was revoked; ``None`` while it works.
    revoked_at: Optional[str]

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> ApiKey:
        """Maps the server's JSON."""
        return cls(
            id=wire["id"],
            name=wire["name"],
            scope=wire["scope"],
            prefix=wire["prefix"],
            last4=wire["last4"],
            created_at=wire["created_at"],
            revoked_at=wire.get("revoked_at"),
        )


@dataclass(frozen=True)
class CreatedApiKey(ApiKey):
    """A new key: the only time the full secret is shown."""

    #: The full secret (``agb_...``). Store it now: it is never shown again.
    key: str = ""

    def __repr__(self) -> str:
        # Keep the secret out of logs and tracebacks.
        return (
            f"CreatedApiKey(id={self.id!r}, name={self.name!r}, scope={self.scope!r}, "
            f"prefix={self.prefix!r}, last4={self.last4!r}, key='***')"
        )

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> CreatedApiKey:
        """Maps the server's JSON, secret included."""
        key = wire.get("key")
        if not isinstance(key, str):
            raise TypeError("The server did not return the new key")
        listed = ApiKey.from_wire(wire)
        return cls(
            id=listed.id,
            name=listed.name,
            scope=listed.scope,
            prefix=listed.prefix,
            last4=listed.last4,
            created_at=listed.created_at,
            revoked_at=listed.revoked_at,
            key=key,
        )
