"""One webhook event, as AgentBill delivers it (the parsed body of the POST)."""

from __future__ import annotations

from typing import Any, Dict, Literal, TypedDict

#: The kinds of event AgentBill delivers to webhook endpoints.
WebhookEventType = Literal[
    "customer.budget.threshold",
    "preflight.blocked",
    "run.ceiling_reached",
    "reservation.expired",
    "customer.overage",
    "grant.created",
]


class WebhookEvent(TypedDict):
    """One event: the JSON body of a delivery, parsed into a plain ``dict``.

    ``data`` is in the API's snake_case. The same ``id`` arrives on every retry of one event: use
    it to process each event once. ``type`` is one of :data:`WebhookEventType`, or a type added
    after this version of the client.
    """

    #: ``whevt_...``: unique per event, the same on every retry.
    id: str
    type: str
    #: When the event happened (ISO 8601).
    created_at: str
    project_id: str
    data: Dict[str, Any]
