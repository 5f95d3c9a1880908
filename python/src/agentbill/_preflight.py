"""The preflight: may this run go on, and hold its estimate?"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Literal, Mapping, Optional, Union

from ._decision import EstimateSource
from ._errors import AgentBillError, AgentBillValidationError
from ._options import FailMode
from ._validation import (
    check_identifier,
    check_optional_boolean,
    check_optional_identifier,
    check_optional_integer_in_range,
    check_optional_units,
    describe,
)

#: Why a preflight was blocked. ``unavailable``: the server could not be reached (fail mode
#: ``closed``).
BlockReason = Literal["budget_exhausted", "ceiling_exceeded", "unavailable"]


@dataclass(frozen=True)
class PreflightResult:
    """The answer of ``client.preflight``. A blocked run is a normal result, not an exception."""

    #: Whether the run may go on.
    approved: bool
    #: Why it was blocked; ``None`` when approved.
    reason: Optional[BlockReason]
    #: What the customer has left once this estimate is spent; ``None`` when the customer is
    #: unlimited or the server could not be reached.
    remaining_units: Optional[int]
    #: The estimate the decision used.
    estimated_units: int
    #: Where the estimate came from (``request``, ``history`` for ``"auto"``, ``default``).
    estimate_source: EstimateSource
    #: The hold's id (``rsv_...``) when ``reserve=True`` was approved, else ``None``.
    reservation_id: Optional[str]
    #: When the hold expires (ISO 8601), or ``None`` without a hold.
    expires_at: Optional[str]
    #: Where the customer can buy more (blocked answers, when the project has an upgrade URL).
    upgrade_url: Optional[str]
    #: The stored decision's id (``dec_...``); ``None`` when the server could not be reached.
    preflight_id: Optional[str]
    #: What the run may still use under its ceiling once this estimate is spent.
    run_remaining_units: Optional[int]
    #: The run id sent, if any.
    run_id: Optional[str]
    #: The ceiling sent, if any.
    ceiling: Optional[int]
    #: ``True`` when the server could not be reached and the answer comes from the fail mode.
    degraded: bool
    #: The idempotency key this preflight was sent with (the same on every retry).
    idempotency_key: str
    #: When ``degraded``, the error that made the server unreachable.
    error: Optional[AgentBillError] = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PreparedPreflight:
    """Checked arguments of a preflight, with defaults filled in, and its wire body."""

    body: Dict[str, Any]
    agent_id: str
    customer_id: str
    estimated_units: Union[int, Literal["auto"]]
    run_id: Optional[str]
    ceiling: Optional[int]
    idempotency_key: str


def prepare_preflight(
    *,
    agent_id: object,
    customer_id: object,
    estimated_units: object,
    ceiling: object,
    run_id: object,
    reserve: object,
    ttl_seconds: object,
    idempotency_key: object,
    default_customer_id: str,
    new_key: str,
) -> PreparedPreflight:
    """Checks every argument (raising before anything is sent) and builds the wire body."""
    checked_agent = check_identifier("agent_id", agent_id)
    checked_customer = (
        default_customer_id
        if customer_id is None
        else check_identifier("customer_id", customer_id)
    )
    estimate: Union[int, Literal["auto"], None]
    if isinstance(estimated_units, str):
        if estimated_units != "auto":
            raise AgentBillValidationError(
                "estimated_units",
                f'must be an integer from 0 to 10^15 or "auto", got {describe(estimated_units)}',
            )
        estimate = "auto"
    else:
        estimate = check_optional_units("estimated_units", estimated_units)
    checked_ceiling = check_optional_units("ceiling", ceiling)
    checked_run = check_optional_identifier("run_id", run_id)
    checked_reserve = check_optional_boolean("reserve", reserve)
    checked_ttl = check_optional_integer_in_range("ttl_seconds", ttl_seconds, 1, 86_400)
    key = (
        new_key
        if idempotency_key is None
        else check_identifier("idempotency_key", idempotency_key)
    )
    body: Dict[str, Any] = {
        "agent_id": checked_agent,
        "customer_id": checked_customer,
        "idempotency_key": key,
    }
    if estimate is not None:
        body["estimated_units"] = estimate
    if checked_ceiling is not None:
        body["ceiling"] = checked_ceiling
    if checked_run is not None:
        body["run_id"] = checked_run
    if checked_reserve is not None:
        body["reserve"] = checked_reserve
    if checked_ttl is not None:
        body["ttl_seconds"] = checked_ttl
    return PreparedPreflight(
        body=body,
        agent_id=checked_agent,
        customer_id=checked_customer,
        estimated_units=1 if estimate is None else estimate,
        run_id=checked_run,
        ceiling=checked_ceiling,
        idempotency_key=key,
    )


def preflight_result(wire: Mapping[str, Any], prepared: PreparedPreflight) -> PreflightResult:
    """Maps the server's answer."""
    approved = bool(wire["approved"])
    default_source = "history" if prepared.estimated_units == "auto" else "request"
    run_id = wire.get("run_id")
    ceiling = wire.get("ceiling")
    return PreflightResult(
        approved=approved,
        reason=None if approved else (wire.get("reason") or "budget_exhausted"),
        remaining_units=wire.get("remaining_units"),
        estimated_units=wire["estimated_units"],
        estimate_source=wire.get("estimate_source") or default_source,
        reservation_id=wire.get("reservation_id") if approved else None,
        expires_at=wire.get("expires_at") if approved else None,
        upgrade_url=None if approved else wire.get("upgrade_url"),
        preflight_id=wire.get("preflight_id"),
        run_remaining_units=wire.get("run_remaining_units"),
        run_id=run_id if run_id is not None else prepared.run_id,
        ceiling=ceiling if ceiling is not None else prepared.ceiling,
        degraded=False,
        idempotency_key=prepared.idempotency_key,
    )


def degraded_preflight_result(
    prepared: PreparedPreflight, fail_mode: FailMode, error: AgentBillError
) -> PreflightResult:
    """The answer when the server could not be reached: blocked (``closed``) or approved."""
    auto = prepared.estimated_units == "auto"
    approved = fail_mode == "open"
    return PreflightResult(
        approved=approved,
        reason=None if approved else "unavailable",
        remaining_units=None,
        estimated_units=1
        if isinstance(prepared.estimated_units, str)
        else prepared.estimated_units,
        estimate_source="default" if auto else "request",
        reservation_id=None,
        expires_at=None,
        upgrade_url=None,
        preflight_id=None,
        run_remaining_units=None,
        run_id=prepared.run_id,
        ceiling=prepared.ceiling,
        degraded=True,
        idempotency_key=prepared.idempotency_key,
        error=error,
    )
