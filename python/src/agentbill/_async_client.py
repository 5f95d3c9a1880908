"""``AsyncAgentBillClient``: the same client for asyncio code, over worker threads.

Honest about what it is: every call runs the blocking ``urllib`` client in a worker thread with
``asyncio.to_thread``, so the event loop is never blocked, but each call in flight holds a
thread of the loop's default executor (``min(32, os.cpu_count() + 4)`` threads). That suits an
agent making a few billing calls per model call; it is not a client for thousands of
concurrent requests. Semantics (retries, idempotency keys, fail modes, the record queue) are
exactly those of :class:`AgentBillClient`, which it wraps.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, Callable, Mapping, Optional, Sequence, Type, TypeVar, Union

from ._admin import (
    Customers,
    Decisions,
    Events,
    Grants,
    Keys,
    ProjectSettings,
    Runs,
    TimeValue,
    Webhooks,
)
from ._api_key import ApiKey, CreatedApiKey, KeyScope
from ._balance import Balance, BudgetPeriod
from ._client import AgentBillClient, RunContext, UnitsOf
from ._customer import Customer
from ._decision import Decision
from ._decision_summary import DecisionDimension, DecisionSummary
from ._errors import AgentBillError
from ._grant import Grant
from ._not_given import NOT_GIVEN, NotGiven
from ._options import FailMode
from ._page import Page
from ._preflight import PreflightResult
from ._project import Project
from ._record import RecordResult
from ._record_queue import FlushResult
from ._reservation import Reservation
from ._run_summary import RunSummary
from ._usage import UsageDimension, UsageSummary
from ._usage_event import UsageEvent
from ._webhook_delivery import WebhookDelivery, WebhookDeliveryStatus
from ._webhook_endpoint import CreatedWebhookEndpoint, WebhookEndpoint, WebhookSubscription

_Function = TypeVar("_Function", bound=Callable[..., Any])


class AsyncAdmin:
    """``await client.admin.customers.list()`` and the rest of the management API."""

    def __init__(self, client: AgentBillClient) -> None:
        admin = client.admin
        self.customers = _AsyncCustomers(admin.customers)
        self.grants = _AsyncGrants(admin.grants)
        self.events = _AsyncEvents(admin.events)
        self.runs = _AsyncRuns(admin.runs)
        self.decisions = _AsyncDecisions(admin.decisions)
        self.keys = _AsyncKeys(admin.keys)
        self.project = _AsyncProject(admin.project)
        self.webhooks = _AsyncWebhooks(admin.webhooks)
        self._admin = admin

    async def usage(
        self,
        *,
        group_by: Union[UsageDimension, Sequence[UsageDimension]],
        since: Optional[TimeValue] = None,
        until: Optional[TimeValue] = None,
        customer_id: Optional[str] = None,
        agent_id: Optional[str] = None,
    ) -> UsageSummary:
        """See :meth:`agentbill.Admin.usage`."""
        return await asyncio.to_thread(
            self._admin.usage,
            group_by=group_by,
            since=since,
            until=until,
            customer_id=customer_id,
            agent_id=agent_id,
        )


class _AsyncCustomers:
    def __init__(self, customers: Customers) -> None:
        self._customers = customers

    async def list(
        self,
        *,
        search: Optional[str] = None,
        limit: Optional[int] = None,
        starting_after: Optional[str] = None,
    ) -> Page[Customer]:
        return await asyncio.to_thread(
            self._customers.list, search=search, limit=limit, starting_after=starting_after
        )

    async def get(self, customer_id: str) -> Customer:
        return await asyncio.to_thread(self._customers.get, customer_id)

    async def update(
        self,
        customer_id: str,
        *,
        limit_units: Union[int, None, NotGiven] = NOT_GIVEN,
        unlimited: Optional[bool] = None,
        period: Optional[BudgetPeriod] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Customer:
        return await asyncio.to_thread(
            self._customers.update,
            customer_id,
            limit_units=limit_units,
            unlimited=unlimited,
            period=period,
            metadata=metadata,
        )


class _AsyncGrants:
    def __init__(self, grants: Grants) -> None:
        self._grants = grants

    async def create(
        self,
        customer_id: str,
        *,
        units: int,
        reason: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Grant:
        return await asyncio.to_thread(
            self._grants.create,
            customer_id,
            units=units,
            reason=reason,
            idempotency_key=idempotency_key,
        )


class _AsyncEvents:
    def __init__(self, events: Events) -> None:
        self._events = events

    async def list(
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
        return await asyncio.to_thread(
            self._events.list,
            customer_id=customer_id,
            agent_id=agent_id,
            run_id=run_id,
            since=since,
            until=until,
            limit=limit,
            starting_after=starting_after,
        )


class _AsyncRuns:
    def __init__(self, runs: Runs) -> None:
        self._runs = runs

    async def get(self, run_id: str) -> RunSummary:
        return await asyncio.to_thread(self._runs.get, run_id)


class _AsyncDecisions:
    def __init__(self, decisions: Decisions) -> None:
        self._decisions = decisions

    async def list(
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
        return await asyncio.to_thread(
            self._decisions.list,
            customer_id=customer_id,
            agent_id=agent_id,
            run_id=run_id,
            approved=approved,
            since=since,
            until=until,
            limit=limit,
            starting_after=starting_after,
        )

    async def summary(
        self,
        *,
        group_by: Union[DecisionDimension, Sequence[DecisionDimension]] = "day",
        approved: Optional[bool] = None,
        since: Optional[TimeValue] = None,
        until: Optional[TimeValue] = None,
        customer_id: Optional[str] = None,
        agent_id: Optional[str] = None,
    ) -> DecisionSummary:
        return await asyncio.to_thread(
            self._decisions.summary,
            group_by=group_by,
            approved=approved,
            since=since,
            until=until,
            customer_id=customer_id,
            agent_id=agent_id,
        )


class _AsyncKeys:
    def __init__(self, keys: Keys) -> None:
        self._keys = keys

    async def create(self, *, name: str, scope: KeyScope = "runtime") -> CreatedApiKey:
        return await asyncio.to_thread(self._keys.create, name=name, scope=scope)

    async def list(self) -> Page[ApiKey]:
        return await asyncio.to_thread(self._keys.list)

    async def revoke(self, key_id: str) -> ApiKey:
        return await asyncio.to_thread(self._keys.revoke, key_id)


class _AsyncProject:
    def __init__(self, project: ProjectSettings) -> None:
        self._project = project

    async def get(self) -> Project:
        return await asyncio.to_thread(self._project.get)

    async def update(
        self,
        *,
        name: Optional[str] = None,
        free_units: Optional[int] = None,
        upgrade_url: Union[str, None, NotGiven] = NOT_GIVEN,
        default_ttl_seconds: Optional[int] = None,
    ) -> Project:
        return await asyncio.to_thread(
            self._project.update,
            name=name,
            free_units=free_units,
            upgrade_url=upgrade_url,
            default_ttl_seconds=default_ttl_seconds,
        )


class _AsyncWebhooks:
    def __init__(self, webhooks: Webhooks) -> None:
        self._webhooks = webhooks

    async def create(
        self,
        *,
        url: str,
        events: Sequence[WebhookSubscription],
        thresholds: Optional[Sequence[int]] = None,
        description: Optional[str] = None,
    ) -> CreatedWebhookEndpoint:
        return await asyncio.to_thread(
            self._webhooks.create,
            url=url,
            events=events,
            thresholds=thresholds,
            description=description,
        )

    async def list(self) -> Page[WebhookEndpoint]:
        return await asyncio.to_thread(self._webhooks.list)

    async def get(self, endpoint_id: str) -> WebhookEndpoint:
        return await asyncio.to_thread(self._webhooks.get, endpoint_id)

    async def delete(self, endpoint_id: str) -> WebhookEndpoint:
        return await asyncio.to_thread(self._webhooks.delete, endpoint_id)

    async def deliveries(
        self,
        endpoint_id: str,
        *,
        status: Optional[WebhookDeliveryStatus] = None,
        limit: Optional[int] = None,
        starting_after: Optional[str] = None,
    ) -> Page[WebhookDelivery]:
        return await asyncio.to_thread(
            self._webhooks.deliveries,
            endpoint_id,
            status=status,
            limit=limit,
            starting_after=starting_after,
        )

    async def resend(self, endpoint_id: str, delivery_id: str) -> WebhookDelivery:
        return await asyncio.to_thread(self._webhooks.resend, endpoint_id, delivery_id)


class AsyncAgentBillClient:
    """:class:`AgentBillClient` for ``asyncio``: the same options, awaitable methods.

    Example::

        client = AsyncAgentBillClient(api_key="agb_...")
        check = await client.preflight(agent_id="researcher", customer_id="user_123",
                                       estimated_units=10)
        async with client.run(agent_id="researcher", customer_id="user_123") as run:
            run.report(await my_agent(question))

    Each call runs the blocking client in a worker thread (``asyncio.to_thread``); see the
    module documentation for what that means for concurrency.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: float = 5.0,
        max_retries: int = 2,
        fail_mode: FailMode = "closed",
        default_customer_id: str = "default",
        headers: Optional[Mapping[str, str]] = None,
        max_queued_records: int = 100_000,
        on_error: Optional[Callable[[AgentBillError], None]] = None,
        exit_flush_timeout: Optional[float] = 5.0,
    ) -> None:
        """Takes the options of :class:`AgentBillClient`, with the same defaults."""
        self._client = AgentBillClient(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            fail_mode=fail_mode,
            default_customer_id=default_customer_id,
            headers=headers,
            max_queued_records=max_queued_records,
            on_error=on_error,
            exit_flush_timeout=exit_flush_timeout,
        )
        #: The management API (needs an ``admin`` key).
        self.admin = AsyncAdmin(self._client)

    @property
    def sync_client(self) -> AgentBillClient:
        """The blocking client underneath (shares the record queue)."""
        return self._client

    @property
    def base_url(self) -> str:
        """The server this client talks to."""
        return self._client.base_url

    @property
    def pending_records(self) -> int:
        """How many records wait in this process for the server to come back."""
        return self._client.pending_records

    async def preflight(
        self,
        *,
        agent_id: str,
        customer_id: Optional[str] = None,
        estimated_units: Union[int, str, None] = None,
        ceiling: Optional[int] = None,
        run_id: Optional[str] = None,
        reserve: Optional[bool] = None,
        ttl_seconds: Optional[int] = None,
        idempotency_key: Optional[str] = None,
    ) -> PreflightResult:
        """See :meth:`AgentBillClient.preflight`."""
        return await asyncio.to_thread(
            self._client.preflight,
            agent_id=agent_id,
            customer_id=customer_id,
            estimated_units=estimated_units,
            ceiling=ceiling,
            run_id=run_id,
            reserve=reserve,
            ttl_seconds=ttl_seconds,
            idempotency_key=idempotency_key,
        )

    async def record(
        self,
        *,
        agent_id: str,
        customer_id: Optional[str] = None,
        units: Optional[int] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        idempotency_key: Optional[str] = None,
        reservation_id: Optional[str] = None,
        run_id: Optional[str] = None,
    ) -> RecordResult:
        """See :meth:`AgentBillClient.record`."""
        return await asyncio.to_thread(
            self._client.record,
            agent_id=agent_id,
            customer_id=customer_id,
            units=units,
            metadata=metadata,
            idempotency_key=idempotency_key,
            reservation_id=reservation_id,
            run_id=run_id,
        )

    async def release(self, reservation_id: str) -> Reservation:
        """See :meth:`AgentBillClient.release`."""
        return await asyncio.to_thread(self._client.release, reservation_id)

    async def get_reservation(self, reservation_id: str) -> Reservation:
        """See :meth:`AgentBillClient.get_reservation`."""
        return await asyncio.to_thread(self._client.get_reservation, reservation_id)

    async def balance(self, customer_id: Optional[str] = None) -> Balance:
        """See :meth:`AgentBillClient.balance`."""
        return await asyncio.to_thread(self._client.balance, customer_id)

    async def flush(self, timeout: float = 30.0) -> FlushResult:
        """See :meth:`AgentBillClient.flush`."""
        return await asyncio.to_thread(self._client.flush, timeout)

    async def close(self, timeout: float = 5.0) -> FlushResult:
        """See :meth:`AgentBillClient.close`."""
        return await asyncio.to_thread(self._client.close, timeout)

    async def __aenter__(self) -> AsyncAgentBillClient:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        await self.close()

    def run(
        self,
        *,
        agent_id: str,
        customer_id: Optional[str] = None,
        ceiling: Optional[int] = None,
        estimated_units: Optional[int] = None,
        run_id: Optional[str] = None,
        ttl_seconds: Optional[int] = None,
    ) -> RunContext:
        """One run as an ``async with`` block; see :meth:`AgentBillClient.run`."""
        return self._client.run(
            agent_id=agent_id,
            customer_id=customer_id,
            ceiling=ceiling,
            estimated_units=estimated_units,
            run_id=run_id,
            ttl_seconds=ttl_seconds,
        )

    def meter(
        self,
        *,
        agent_id: str,
        units: UnitsOf,
        customer_id: Optional[str] = None,
        ceiling: Optional[int] = None,
        estimated_units: Optional[int] = None,
        ttl_seconds: Optional[int] = None,
    ) -> Callable[[_Function], _Function]:
        """A decorator for ``async def`` functions; see :meth:`AgentBillClient.meter`."""
        return self._client.meter(
            agent_id=agent_id,
            units=units,
            customer_id=customer_id,
            ceiling=ceiling,
            estimated_units=estimated_units,
            ttl_seconds=ttl_seconds,
        )
