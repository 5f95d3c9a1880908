"""The management API (``admin`` key): ``client.admin``."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union, cast
from urllib.parse import urlsplit

from ._api_key import ApiKey, CreatedApiKey, KeyScope
from ._balance import BudgetPeriod
from ._customer import Customer
from ._decision import Decision
from ._decision_summary import DecisionDimension, DecisionSummary
from ._errors import AgentBillValidationError
from ._grant import Grant
from ._not_given import NOT_GIVEN, NotGiven
from ._page import Page, to_page
from ._project import Project
from ._run_summary import RunSummary
from ._transport import HttpRequest, HttpTransport, QueryValue, encode_id
from ._usage import UsageDimension, UsageSummary
from ._usage_event import UsageEvent
from ._validation import (
    MAX_UNITS,
    check_identifier,
    check_integer_in_range,
    check_optional_boolean,
    check_optional_choice,
    check_optional_identifier,
    check_optional_integer_in_range,
    check_optional_metadata,
    check_optional_time,
    check_optional_units,
    check_text,
    describe,
    is_integer,
)
from ._webhook_delivery import WebhookDelivery, WebhookDeliveryStatus
from ._webhook_endpoint import CreatedWebhookEndpoint, WebhookEndpoint, WebhookSubscription

#: A time filter: an aware ``datetime``, a ``date``, or an ISO 8601 string.
TimeValue = Union[datetime, date, str]

_PERIODS = ("none", "day", "week", "month")
_USAGE_DIMENSIONS = ("agent", "customer", "day")
_DECISION_DIMENSIONS = ("agent", "customer", "day", "reason")
_WEBHOOK_SUBSCRIPTIONS = (
    "customer.budget.threshold",
    "preflight.blocked",
    "run.ceiling_reached",
    "reservation.expired",
    "customer.overage",
    "grant.created",
    "*",
)
_DELIVERY_STATUSES = ("pending", "succeeded", "failed", "cancelled")
_MAX_WEBHOOK_URL_LENGTH = 2000
_MAX_THRESHOLD_PERCENT = 1000
_MAX_THRESHOLDS = 10


def _group_by_query(group_by: object, dimensions: Sequence[str]) -> str:
    """One dimension or a list/tuple of one or two different ones, as ``day,agent``."""
    chosen: object = [group_by] if isinstance(group_by, str) else group_by
    if isinstance(chosen, (list, tuple)):
        items = cast(Sequence[object], chosen)
        names = [item for item in items if isinstance(item, str) and item in dimensions]
        if len(names) == len(items) and 1 <= len(names) <= 2 and len(set(names)) == len(names):
            return ",".join(names)
    raise AgentBillValidationError(
        "group_by",
        f"must be one or two of {', '.join(dimensions)} (no repeats), got {describe(group_by)}",
    )


def _list_query(limit: object, starting_after: object) -> Dict[str, QueryValue]:
    return {
        "limit": check_optional_integer_in_range("limit", limit, 1, 200),
        "starting_after": check_optional_identifier("starting_after", starting_after),
    }


def _filter_query(
    *,
    customer_id: object,
    agent_id: object,
    run_id: object,
    since: object,
    until: object,
    limit: object,
    starting_after: object,
) -> Dict[str, QueryValue]:
    return {
        "customer_id": check_optional_identifier("customer_id", customer_id),
        "agent_id": check_optional_identifier("agent_id", agent_id),
        "run_id": check_optional_identifier("run_id", run_id),
        "since": check_optional_time("since", since),
        "until": check_optional_time("until", until),
        **_list_query(limit, starting_after),
    }


def _check_webhook_url(url: object) -> str:
    """An absolute http(s) URL with a host and no credentials, as the server requires.

    Whether its address is public is for the server to say (it resolves the name, and its
    policy may allow private targets); that refusal comes back as a 400 naming ``url``.
    """
    text = check_text("url", url, _MAX_WEBHOOK_URL_LENGTH)
    if re.match("https?://", text, re.IGNORECASE) is None:
        raise AgentBillValidationError("url", f"must be an http or https URL, got {describe(text)}")
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # an unbalanced IPv6 bracket
        raise AgentBillValidationError(
            "url", f"must be an absolute http(s) URL, got {describe(text)}"
        ) from None
    if parts.username is not None or parts.password is not None:
        raise AgentBillValidationError("url", "must not carry a user name or password")
    if not host:
        raise AgentBillValidationError("url", f"must name a host, got {describe(text)}")
    return text


def _check_webhook_events(events: object) -> List[str]:
    """A non-empty list of different event types, or ``["*"]``."""
    expected = f"a list of event types ({', '.join(_WEBHOOK_SUBSCRIPTIONS[:-1])}) or ['*']"
    if not isinstance(events, (list, tuple)):
        raise AgentBillValidationError("events", f"must be {expected}, got {describe(events)}")
    items = list(cast(Sequence[object], events))
    if not items:
        raise AgentBillValidationError("events", f"must not be empty: give {expected}")
    checked: List[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or item not in _WEBHOOK_SUBSCRIPTIONS:
            raise AgentBillValidationError(
                f"events[{index}]",
                f"must be one of {', '.join(_WEBHOOK_SUBSCRIPTIONS)}, got {describe(item)}",
            )
        if item in checked:
            raise AgentBillValidationError(
                "events", f"must name each type once, {item!r} is repeated"
            )
        checked.append(item)
    return checked


def _check_thresholds(thresholds: object) -> List[int]:
    """1 to 10 different whole percents from 1 to 1000."""
    expected = (
        f"a list of 1 to {_MAX_THRESHOLDS} different integers from 1 to "
        f"{_MAX_THRESHOLD_PERCENT} (percents)"
    )
    if not isinstance(thresholds, (list, tuple)):
        raise AgentBillValidationError(
            "thresholds", f"must be {expected}, got {describe(thresholds)}"
        )
    items = list(cast(Sequence[object], thresholds))
    if not 1 <= len(items) <= _MAX_THRESHOLDS:
        raise AgentBillValidationError("thresholds", f"must be {expected}, got {len(items)} items")
    checked: List[int] = []
    for item in items:
        if not is_integer(item) or not 1 <= cast(int, item) <= _MAX_THRESHOLD_PERCENT:
            raise AgentBillValidationError(
                "thresholds", f"must be {expected}, got {describe(item)} among them"
            )
        if item in checked:
            raise AgentBillValidationError("thresholds", f"must be {expected}, {item} is repeated")
        checked.append(cast(int, item))
    return checked


class Customers:
    """Customers: list, read, and set budgets (``limit_units``, ``unlimited``, ``period``)."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    def list(
        self,
        *,
        search: Optional[str] = None,
        limit: Optional[int] = None,
        starting_after: Optional[str] = None,
    ) -> Page[Customer]:
        """Customers by id, ascending. ``limit``: 1 to 200 (default 50).

        ``search`` keeps the customers whose id contains the text (ASCII letters in either
        case; ``%`` and ``_`` are plain characters).
        """
        query = _list_query(limit, starting_after)
        query["search"] = check_optional_identifier("search", search)
        wire = self._transport.send(HttpRequest("GET", "/v1/customers", query=query))
        return to_page(wire, Customer.from_wire)

    def get(self, customer_id: str) -> Customer:
        """One customer (created with the free grant when not seen before)."""
        path = f"/v1/customers/{encode_id('customer_id', customer_id)}"
        return Customer.from_wire(self._transport.send(HttpRequest("GET", path)))

    def update(
        self,
        customer_id: str,
        *,
        limit_units: Union[int, None, NotGiven] = NOT_GIVEN,
        unlimited: Optional[bool] = None,
        period: Optional[BudgetPeriod] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Customer:
        """Sets a customer's budget; creates the customer when it does not exist yet.

        Args:
            limit_units: the base allowance per period, replacing the project's free units for
                this customer; ``None`` goes back to them. Not given: unchanged.
            unlimited: no budget at all (every preflight approved, ``remaining_units`` None).
            period: when the base allowance renews: ``none``, ``day``, ``week``, ``month``.
            metadata: your own data about the customer (replaces the previous).
        """
        path = f"/v1/customers/{encode_id('customer_id', customer_id)}"
        body: Dict[str, Any] = {}
        if limit_units is None:
            body["limit_units"] = None
        elif not isinstance(limit_units, NotGiven):
            body["limit_units"] = check_optional_units("limit_units", limit_units)
        checked_unlimited = check_optional_boolean("unlimited", unlimited)
        if checked_unlimited is not None:
            body["unlimited"] = checked_unlimited
        checked_period = check_optional_choice("period", period, _PERIODS)
        if checked_period is not None:
            body["period"] = checked_period
        checked_metadata = check_optional_metadata("metadata", metadata)
        if checked_metadata is not None:
            body["metadata"] = checked_metadata
        if not body:
            raise AgentBillValidationError(
                "update", "give at least one of limit_units, unlimited, period, metadata"
            )
        return Customer.from_wire(self._transport.send(HttpRequest("PATCH", path, body=body)))


class Grants:
    """Grants: top-ups of a customer's budget (after a purchase, say)."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    def create(
        self,
        customer_id: str,
        *,
        units: int,
        reason: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Grant:
        """Adds ``units`` (1 to 10^15) to a customer's budget.

        Give ``idempotency_key`` (a payment id) so that a webhook delivered twice grants once;
        without one, a random key is made for this call and reused by its retries.
        """
        path = f"/v1/customers/{encode_id('customer_id', customer_id)}/grants"
        body: Dict[str, Any] = {
            "units": check_integer_in_range("units", units, 1, MAX_UNITS),
            "idempotency_key": str(uuid.uuid4())
            if idempotency_key is None
            else check_identifier("idempotency_key", idempotency_key),
        }
        if reason is not None:
            body["reason"] = check_text("reason", reason, 500)
        return Grant.from_wire(self._transport.send(HttpRequest("POST", path, body=body)))


class Events:
    """The usage event log."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    def list(
        self,
        *,
        customer_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        run_id: Optional[str] = None,
        since: Optional[TimeValue] = None,
        until: Optional[TimeValue] = None,
        limit: Optional[int] = None,
        starting_after: Optional[str] = None,
    ) -> Page[UsageEvent]:
        """Events, newest first; ``since`` inclusive, ``until`` exclusive."""
        query = _filter_query(
            customer_id=customer_id,
            agent_id=agent_id,
            run_id=run_id,
            since=since,
            until=until,
            limit=limit,
            starting_after=starting_after,
        )
        wire = self._transport.send(HttpRequest("GET", "/v1/events", query=query))
        return to_page(wire, UsageEvent.from_wire)


class Runs:
    """Runs: what one run used and holds under its ceiling."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    def get(self, run_id: str) -> RunSummary:
        """One run by id; an :class:`AgentBillAPIError` with status 404 for a run never seen."""
        path = f"/v1/runs/{encode_id('run_id', run_id)}"
        return RunSummary.from_wire(self._transport.send(HttpRequest("GET", path)))


class Decisions:
    """The preflight decision log (approved and blocked), and counts of it."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    def list(
        self,
        *,
        customer_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        run_id: Optional[str] = None,
        approved: Optional[bool] = None,
        since: Optional[TimeValue] = None,
        until: Optional[TimeValue] = None,
        limit: Optional[int] = None,
        starting_after: Optional[str] = None,
    ) -> Page[Decision]:
        """Decisions, newest first; ``approved=False`` lists only blocked runs."""
        query = _filter_query(
            customer_id=customer_id,
            agent_id=agent_id,
            run_id=run_id,
            since=since,
            until=until,
            limit=limit,
            starting_after=starting_after,
        )
        query["approved"] = check_optional_boolean("approved", approved)
        wire = self._transport.send(HttpRequest("GET", "/v1/decisions", query=query))
        return to_page(wire, Decision.from_wire)

    def summary(
        self,
        *,
        group_by: Union[DecisionDimension, Sequence[DecisionDimension]] = "day",
        approved: Optional[bool] = None,
        since: Optional[TimeValue] = None,
        until: Optional[TimeValue] = None,
        customer_id: Optional[str] = None,
        agent_id: Optional[str] = None,
    ) -> DecisionSummary:
        """Decisions counted by one or two of ``agent``, ``customer``, ``day``, ``reason``.

        Blocked runs per day and reason: ``summary(group_by=["day", "reason"], approved=False)``.
        ``since`` inclusive, ``until`` exclusive.
        """
        query: Dict[str, QueryValue] = {
            "group_by": _group_by_query(group_by, _DECISION_DIMENSIONS),
            "approved": check_optional_boolean("approved", approved),
            "since": check_optional_time("since", since),
            "until": check_optional_time("until", until),
            "customer_id": check_optional_identifier("customer_id", customer_id),
            "agent_id": check_optional_identifier("agent_id", agent_id),
        }
        wire = self._transport.send(HttpRequest("GET", "/v1/decisions/summary", query=query))
        return DecisionSummary.from_wire(wire)


class Keys:
    """API keys: create (the secret is shown once), list, revoke."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    def create(self, *, name: str, scope: KeyScope = "runtime") -> CreatedApiKey:
        """Creates a key; its ``key`` field is the only time the secret is shown.

        Not retried automatically: a retry after a lost answer would make a second key.
        """
        checked_scope = check_optional_choice("scope", scope, ("runtime", "admin"))
        body = {
            "name": check_text("name", name, 200),
            "scope": "runtime" if checked_scope is None else checked_scope,
        }
        wire = self._transport.send(HttpRequest("POST", "/v1/keys", body=body, max_retries=0))
        return CreatedApiKey.from_wire(wire)

    def list(self) -> Page[ApiKey]:
        """Every key of the project, by prefix and last four characters."""
        return to_page(self._transport.send(HttpRequest("GET", "/v1/keys")), ApiKey.from_wire)

    def revoke(self, key_id: str) -> ApiKey:
        """Revokes a key: its next request fails with 401."""
        path = f"/v1/keys/{encode_id('key_id', key_id)}"
        return ApiKey.from_wire(self._transport.send(HttpRequest("DELETE", path)))


class ProjectSettings:
    """The project's settings: free units per new customer, upgrade URL, hold TTL."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    def get(self) -> Project:
        """The project's settings."""
        return Project.from_wire(self._transport.send(HttpRequest("GET", "/v1/project")))

    def update(
        self,
        *,
        name: Optional[str] = None,
        free_units: Optional[int] = None,
        upgrade_url: Union[str, None, NotGiven] = NOT_GIVEN,
        default_ttl_seconds: Optional[int] = None,
    ) -> Project:
        """Changes the project's settings.

        Args:
            name: 1 to 200 characters.
            free_units: units every new customer gets.
            upgrade_url: an http(s) URL shown on blocked answers (``{customer_id}`` is
                replaced); ``None`` removes it. Not given: unchanged.
            default_ttl_seconds: how long a hold lasts by default, 1 to 86400.
        """
        body: Dict[str, Any] = {}
        if name is not None:
            body["name"] = check_text("name", name, 200)
        checked_free = check_optional_units("free_units", free_units)
        if checked_free is not None:
            body["free_units"] = checked_free
        if upgrade_url is None:
            body["upgrade_url"] = None
        elif not isinstance(upgrade_url, NotGiven):
            if not isinstance(upgrade_url, str) or not upgrade_url.startswith(
                ("http://", "https://")
            ):
                raise AgentBillValidationError(
                    "upgrade_url", f"must be an http(s) URL or None, got {describe(upgrade_url)}"
                )
            body["upgrade_url"] = upgrade_url
        checked_ttl = check_optional_integer_in_range(
            "default_ttl_seconds", default_ttl_seconds, 1, 86_400
        )
        if checked_ttl is not None:
            body["default_ttl_seconds"] = checked_ttl
        if not body:
            raise AgentBillValidationError(
                "update", "give at least one of name, free_units, upgrade_url, default_ttl_seconds"
            )
        wire = self._transport.send(HttpRequest("PATCH", "/v1/project", body=body))
        return Project.from_wire(wire)


class Webhooks:
    """Webhook endpoints: where the server POSTs signed events, and their delivery logs.

    Check every delivery with :func:`agentbill.verify_webhook` and the endpoint's secret.
    """

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    def create(
        self,
        *,
        url: str,
        events: Sequence[WebhookSubscription],
        thresholds: Optional[Sequence[int]] = None,
        description: Optional[str] = None,
    ) -> CreatedWebhookEndpoint:
        """Creates an endpoint; its ``secret`` is the only time the signing secret is shown.

        Not retried automatically: a retry after a lost answer would leave a second endpoint
        (and secret) behind. A project has at most 16 endpoints.

        Args:
            url: where events are POSTed (http or https, at most 2000 characters). The server
                refuses loopback, private, link-local and metadata addresses (a 400 naming
                ``url``) unless it was started with ``--allow-private-webhook-targets``.
            events: the event types to send there, each once, or ``["*"]`` for all of them
                (types added later included).
            thresholds: percents of a customer's granted units at which
                ``customer.budget.threshold`` fires, 1 to 10 different integers from 1 to 1000
                (each fires once per period and allowance). Default (``None``): the server's,
                ``[80, 100]``.
            description: what the endpoint is for, 1 to 500 characters.
        """
        body: Dict[str, Any] = {
            "url": _check_webhook_url(url),
            "events": _check_webhook_events(events),
        }
        if thresholds is not None:
            body["thresholds"] = _check_thresholds(thresholds)
        if description is not None:
            body["description"] = check_text("description", description, 500)
        wire = self._transport.send(
            HttpRequest("POST", "/v1/webhooks", body=body, max_retries=0)
        )
        return CreatedWebhookEndpoint.from_wire(wire)

    def list(self) -> Page[WebhookEndpoint]:
        """The project's endpoints (deleted ones left out), oldest first; never their secrets.

        One page holds them all (a project has at most 16).
        """
        wire = self._transport.send(HttpRequest("GET", "/v1/webhooks"))
        return to_page(wire, WebhookEndpoint.from_wire)

    def get(self, endpoint_id: str) -> WebhookEndpoint:
        """One endpoint, a deleted one too (with ``deleted_at``); 404 for an unknown id."""
        path = f"/v1/webhooks/{encode_id('endpoint_id', endpoint_id)}"
        return WebhookEndpoint.from_wire(self._transport.send(HttpRequest("GET", path)))

    def delete(self, endpoint_id: str) -> WebhookEndpoint:
        """Deletes an endpoint: nothing more is sent there, its pending deliveries are cancelled.

        Deleting it again changes nothing and answers the same endpoint.
        """
        path = f"/v1/webhooks/{encode_id('endpoint_id', endpoint_id)}"
        return WebhookEndpoint.from_wire(self._transport.send(HttpRequest("DELETE", path)))

    def deliveries(
        self,
        endpoint_id: str,
        *,
        status: Optional[WebhookDeliveryStatus] = None,
        limit: Optional[int] = None,
        starting_after: Optional[str] = None,
    ) -> Page[WebhookDelivery]:
        """An endpoint's delivery log, newest first, each delivery with its event and attempts.

        Args:
            status: only deliveries that are ``pending``, ``succeeded``, ``failed`` or
                ``cancelled``.
            limit: page size, 1 to 200 (default 50).
            starting_after: the id of the last delivery of the previous page.
        """
        path = f"/v1/webhooks/{encode_id('endpoint_id', endpoint_id)}/deliveries"
        query = _list_query(limit, starting_after)
        query["status"] = check_optional_choice("status", status, _DELIVERY_STATUSES)
        wire = self._transport.send(HttpRequest("GET", path, query=query))
        return to_page(wire, WebhookDelivery.from_wire)

    def resend(self, endpoint_id: str, delivery_id: str) -> WebhookDelivery:
        """Sends a delivery again now: the same event (same id and body).

        A pending delivery keeps its remaining retries; a finished one (succeeded or failed)
        gets one more attempt. Answers the delivery, pending. A deleted endpoint's deliveries
        cannot be resent (404).
        """
        path = (
            f"/v1/webhooks/{encode_id('endpoint_id', endpoint_id)}"
            f"/deliveries/{encode_id('delivery_id', delivery_id)}/resend"
        )
        return WebhookDelivery.from_wire(self._transport.send(HttpRequest("POST", path)))


class Admin:
    """The management API (needs an ``admin`` key), reached as ``client.admin``."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport
        #: Customers and their budgets.
        self.customers = Customers(transport)
        #: Top-ups.
        self.grants = Grants(transport)
        #: The usage event log.
        self.events = Events(transport)
        #: Runs and what they used under their ceilings.
        self.runs = Runs(transport)
        #: The preflight decision log.
        self.decisions = Decisions(transport)
        #: API keys.
        self.keys = Keys(transport)
        #: The project's settings.
        self.project = ProjectSettings(transport)
        #: Webhook endpoints and their delivery logs.
        self.webhooks = Webhooks(transport)

    def usage(
        self,
        *,
        group_by: Union[UsageDimension, Sequence[UsageDimension]],
        since: Optional[TimeValue] = None,
        until: Optional[TimeValue] = None,
        customer_id: Optional[str] = None,
        agent_id: Optional[str] = None,
    ) -> UsageSummary:
        """Usage summed by one or two of ``agent``, ``customer``, ``day`` (``["day", "agent"]``).

        ``since`` inclusive, ``until`` exclusive; ``customer_id`` / ``agent_id`` sum only that
        customer's or agent's events.
        """
        query: Dict[str, QueryValue] = {
            "group_by": _group_by_query(group_by, _USAGE_DIMENSIONS),
            "since": check_optional_time("since", since),
            "until": check_optional_time("until", until),
            "customer_id": check_optional_identifier("customer_id", customer_id),
            "agent_id": check_optional_identifier("agent_id", agent_id),
        }
        wire = self._transport.send(HttpRequest("GET", "/v1/usage", query=query))
        return UsageSummary.from_wire(wire)
