"""Webhook endpoints, as listed and as created (the only time the signing secret is shown)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping, Optional, Tuple

#: What an endpoint can subscribe to: one event type, or ``"*"`` for every type (present and
#: future).
WebhookSubscription = Literal[
    "customer.budget.threshold",
    "preflight.blocked",
    "run.ceiling_reached",
    "reservation.expired",
    "customer.overage",
    "grant.created",
    "*",
]


@dataclass(frozen=True)
class WebhookEndpoint:
    """A webhook endpoint as listed: never its secret."""

    #: ``whe_...``
    id: str
    #: Where events are POSTed.
    url: str
    #: What the endpoint is for; ``None`` when none was given.
    description: Optional[str]
    #: What is sent there: event types (see :data:`WebhookSubscription`), or ``("*",)`` for
    #: everything. Typed ``str`` so that a type added after this client still reads.
    events: Tuple[str, ...]
    #: Percents of a customer's granted units that fire ``customer.budget.threshold``.
    thresholds: Tuple[int, ...]
    #: When it was made (ISO 8601).
    created_at: str
    #: When it was deleted (nothing is sent after); ``None`` while it receives events.
    deleted_at: Optional[str]

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> WebhookEndpoint:
        """Maps the server's JSON."""
        return cls(
            id=wire["id"],
            url=wire["url"],
            description=wire.get("description"),
            events=tuple(wire["events"]),
            thresholds=tuple(wire["thresholds"]),
            created_at=wire["created_at"],
            deleted_at=wire.get("deleted_at"),
        )


@dataclass(frozen=True)
class CreatedWebhookEndpoint(WebhookEndpoint):
    """A new endpoint: the only time its signing secret is shown."""

    #: The signing secret (``whsec_...``) to give :func:`agentbill.verify_webhook`. Store it
    #: now: it is never shown again.
    secret: str = ""

    def __repr__(self) -> str:
        # Keep the secret out of logs and tracebacks.
        return (
            f"CreatedWebhookEndpoint(id={self.id!r}, url={self.url!r}, "
            f"description={self.description!r}, events={self.events!r}, "
            f"thresholds={self.thresholds!r}, created_at={self.created_at!r}, "
            f"deleted_at={self.deleted_at!r}, secret='***')"
        )

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> CreatedWebhookEndpoint:
        """Maps the server's JSON, secret included."""
        secret = wire.get("secret")
        if not isinstance(secret, str):
            raise TypeError("The server did not return the endpoint's secret")
        listed = WebhookEndpoint.from_wire(wire)
        return cls(
            id=listed.id,
            url=listed.url,
            description=listed.description,
            events=listed.events,
            thresholds=listed.thresholds,
            created_at=listed.created_at,
            deleted_at=listed.deleted_at,
            secret=secret,
        )
