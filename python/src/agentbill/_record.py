"""The record: usage that happened, counted exactly once per idempotency key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Literal, Mapping, Optional

from ._validation import (
    check_identifier,
    check_optional_identifier,
    check_optional_metadata,
    check_optional_units,
)

#: What happened to the reservation a record named.
ReservationSettlement = Literal["settled", "already_closed", "not_found"]


@dataclass(frozen=True)
class RecordResult:
    """The answer of ``client.record``; ``queued`` tells whether the server already has it.

    When the server could not be reached after the retries, the event waits in this process
    (``queued=True``, ``recorded=False``) and is re-sent with the same idempotency key until the
    server accepts it; ``client.flush()`` waits for that.
    """

    #: ``True`` when the server has the event.
    recorded: bool
    #: ``True`` when the event waits in this process's queue.
    queued: bool
    #: ``True`` when the key was seen before: the original event is returned, nothing counted twice.
    duplicate: bool
    #: The event's id (``evt_...``); ``None`` while queued.
    event_id: Optional[str]
    #: The units charged.
    units: int
    #: What the customer has left; ``None`` when unlimited or queued.
    remaining_units: Optional[int]
    #: How far the customer's usage is past its grant; ``None`` while queued.
    overage_units: Optional[int]
    #: What happened to ``reservation_id``; ``None`` when none was given (or queued).
    reservation_status: Optional[ReservationSettlement]
    #: The idempotency key the event was sent with.
    idempotency_key: str

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any], idempotency_key: str) -> RecordResult:
        """Maps the server's answer."""
        return cls(
            recorded=True,
            queued=False,
            duplicate=bool(wire.get("duplicate", False)),
            event_id=wire["event_id"],
            units=wire["units"],
            remaining_units=wire.get("remaining_units"),
            overage_units=wire.get("overage_units", 0),
            reservation_status=wire.get("reservation_status"),
            idempotency_key=idempotency_key,
        )

    @classmethod
    def queued_for(cls, prepared: PreparedRecord) -> RecordResult:
        """The answer for a record left in the client's queue."""
        return cls(
            recorded=False,
            queued=True,
            duplicate=False,
            event_id=None,
            units=prepared.units,
            remaining_units=None,
            overage_units=None,
            reservation_status=None,
            idempotency_key=prepared.idempotency_key,
        )


@dataclass(frozen=True)
class PreparedRecord:
    """Checked arguments of a record, with defaults filled in, and its wire body."""

    body: Dict[str, Any]
    units: int
    idempotency_key: str


def prepare_record(
    *,
    agent_id: object,
    customer_id: object,
    units: object,
    metadata: object,
    idempotency_key: object,
    reservation_id: object,
    run_id: object,
    default_customer_id: str,
    new_key: str,
) -> PreparedRecord:
    """Checks every argument (raising before anything is sent) and builds the wire body."""
    checked_agent = check_identifier("agent_id", agent_id)
    checked_customer = (
        default_customer_id
        if customer_id is None
        else check_identifier("customer_id", customer_id)
    )
    checked_units = check_optional_units("units", units)
    checked_metadata = check_optional_metadata("metadata", metadata)
    key = (
        new_key
        if idempotency_key is None
        else check_identifier("idempotency_key", idempotency_key)
    )
    checked_reservation = check_optional_identifier("reservation_id", reservation_id)
    checked_run = check_optional_identifier("run_id", run_id)
    final_units = 1 if checked_units is None else checked_units
    body: Dict[str, Any] = {
        "agent_id": checked_agent,
        "customer_id": checked_customer,
        "units": final_units,
        "idempotency_key": key,
    }
    if checked_metadata is not None:
        body["metadata"] = checked_metadata
    if checked_reservation is not None:
        body["reservation_id"] = checked_reservation
    if checked_run is not None:
        body["run_id"] = checked_run
    return PreparedRecord(body=body, units=final_units, idempotency_key=key)
