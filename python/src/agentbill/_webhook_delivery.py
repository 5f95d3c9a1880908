"""One event sent (or to be sent) to one webhook endpoint, with the log of its attempts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping, Optional, Tuple, cast

from ._webhook_event import WebhookEvent

#: Where a delivery stands: ``pending`` (waiting for an attempt or its retry), ``succeeded`` (a
#: 2xx came back), ``failed`` (every attempt failed), ``cancelled`` (the endpoint was deleted).
WebhookDeliveryStatus = Literal["pending", "succeeded", "failed", "cancelled"]


@dataclass(frozen=True)
class WebhookAttempt:
    """How one attempt of a delivery went."""

    #: 1 for the first.
    attempt: int
    #: When the attempt began (ISO 8601, server clock).
    started_at: str
    #: How long it took, in milliseconds.
    duration_ms: int
    #: The HTTP status answered; ``None`` when none came (refused, timed out, reset).
    response_status: Optional[int]
    #: Why it failed; ``None`` when it succeeded.
    error: Optional[str]
    succeeded: bool

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> WebhookAttempt:
        """Maps the server's JSON."""
        return cls(
            attempt=wire["attempt"],
            started_at=wire["started_at"],
            duration_ms=wire["duration_ms"],
            response_status=wire.get("response_status"),
            error=wire.get("error"),
            succeeded=bool(wire["succeeded"]),
        )


@dataclass(frozen=True)
class WebhookDelivery:
    """One event for one endpoint, with every attempt so far (``attempt_log``)."""

    #: ``whdel_...``
    id: str
    endpoint_id: str
    status: WebhookDeliveryStatus
    #: Attempts made so far.
    attempts: int
    #: Attempts allowed (a resend adds one to a finished delivery).
    max_attempts: int
    #: When the next attempt is due; ``None`` once finished.
    next_attempt_at: Optional[str]
    #: When the last attempt began; ``None`` before the first.
    last_attempt_at: Optional[str]
    last_response_status: Optional[int]
    last_error: Optional[str]
    #: When the event was queued for this endpoint (ISO 8601).
    created_at: str
    #: When it succeeded, gave up or was cancelled; ``None`` while pending.
    completed_at: Optional[str]
    #: The event, as its body is sent (``data`` in snake_case): the ``dict`` that
    #: :func:`agentbill.verify_webhook` returns for it.
    event: WebhookEvent
    #: Every attempt, first first.
    attempt_log: Tuple[WebhookAttempt, ...]

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> WebhookDelivery:
        """Maps the server's JSON."""
        return cls(
            id=wire["id"],
            endpoint_id=wire["endpoint_id"],
            status=wire["status"],
            attempts=wire["attempts"],
            max_attempts=wire["max_attempts"],
            next_attempt_at=wire.get("next_attempt_at"),
            last_attempt_at=wire.get("last_attempt_at"),
            last_response_status=wire.get("last_response_status"),
            last_error=wire.get("last_error"),
            created_at=wire["created_at"],
            completed_at=wire.get("completed_at"),
            event=cast(WebhookEvent, dict(wire["event"])),
            attempt_log=tuple(WebhookAttempt.from_wire(attempt) for attempt in wire["attempt_log"]),
        )
