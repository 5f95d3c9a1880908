"""The AgentBill client: a budget gate before each agent run, usage recorded once after it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import math
import threading
import time
import uuid
from types import TracebackType
from typing import (
    Any,
    Callable,
    Dict,
    Generator,
    Mapping,
    Optional,
    Type,
    TypeVar,
    Union,
    cast,
)

from ._admin import Admin
from ._balance import Balance
from ._errors import (
    AgentBillAPIError,
    AgentBillConnectionError,
    AgentBillError,
    AgentBillValidationError,
    BudgetExceededError,
)
from ._options import (
    ClientOptions,
    FailMode,
    check_count,
    check_headers,
    check_timeout,
    resolve_options,
)
from ._preflight import (
    PreflightResult,
    degraded_preflight_result,
    prepare_preflight,
    preflight_result,
)
from ._record import RecordResult, prepare_record
from ._record_queue import FlushResult, RecordQueue
from ._reservation import Reservation
from ._retry import is_retryable_status
from ._run import Run, _current_run
from ._transport import HttpRequest, HttpTransport, encode_id
from ._validation import (
    check_identifier,
    check_optional_identifier,
    check_optional_integer_in_range,
    check_optional_units,
    check_units,
    describe,
)

_Function = TypeVar("_Function", bound=Callable[..., Any])

#: Units of one metered call: a number, or computed from the function's result.
UnitsOf = Union[int, Callable[[Any], int]]


def _new_key() -> str:
    return str(uuid.uuid4())


def _is_unavailable(error: AgentBillError) -> bool:
    if isinstance(error, AgentBillConnectionError):
        return True
    return isinstance(error, AgentBillAPIError) and is_retryable_status(error.status)


class _SharedState:
    """What a client and its ``with_options`` copies share: the record queue, work in flight."""

    def __init__(self, queue: RecordQueue) -> None:
        self.queue = queue
        self._in_flight = 0
        self._idle = threading.Condition()

    @contextlib.contextmanager
    def in_flight(self) -> Generator[None, None, None]:
        with self._idle:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self, deadline: float) -> None:
        with self._idle:
            while self._in_flight > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._idle.wait(remaining)


class AgentBillClient:
    """The AgentBill client: ``preflight`` before an agent run, ``record`` after it.

    Example::

        client = AgentBillClient(api_key="agb_...")   # or AGENTBILL_API_KEY
        check = client.preflight(agent_id="researcher", customer_id="user_123",
                                 estimated_units=10, ceiling=20)
        if not check.approved:
            raise Exception(f"Blocked: {check.reason}")
        client.record(agent_id="researcher", customer_id="user_123", units=10,
                      metadata={"model": "gpt-4o"})

    A client is safe to share between threads. Records the server could not take are queued in
    memory and re-sent in the background; at interpreter exit the client flushes them for at
    most ``exit_flush_timeout`` seconds (see :meth:`flush`).
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
        """Makes a client. Nothing is sent until the first call.

        Args:
            api_key: ``agb_...``; default: ``AGENTBILL_API_KEY``. A ``runtime`` key covers
                preflight, record, release and balance; ``admin`` calls need an ``admin`` key.
            base_url: the server; default: ``AGENTBILL_BASE_URL``, else ``http://localhost:8787``.
            timeout: seconds one attempt may take (connecting, and each read). Default 5.
            max_retries: retries of 408, 409, 429, 5xx and connection errors (never of other
                4xx), with exponential backoff from 0.5 s doubling to 8 s with jitter, or the
                server's ``Retry-After`` up to 60 s. ``0`` disables them. Default 2.
            fail_mode: what ``preflight`` answers when the server cannot be reached after the
                retries: ``"closed"`` (default) blocks (``reason="unavailable"``), ``"open"``
                approves; both say ``degraded=True``.
            default_customer_id: the customer when a call names none. Default ``"default"``.
            headers: extra headers sent with every request. Default none.
            max_queued_records: records kept in memory while the server is unreachable; past
                it, ``record`` raises ``AgentBillConnectionError``. Default 100000.
            on_error: called with failures of background work nobody awaits (a queued record the
                server still cannot take, a hold that could not be released). Default: one
                warning on the ``agentbill`` logger.
            exit_flush_timeout: at interpreter exit, re-send queued records for at most this many
                seconds; ``None`` disables it. Default 5.

        Raises:
            AgentBillConfigurationError: without an API key (argument or ``AGENTBILL_API_KEY``),
                or with an option out of range.
        """
        options = resolve_options(
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
        transport = HttpTransport(options)

        def send_queued(body: Dict[str, Any], timeout: Optional[float]) -> object:
            attempt_timeout = options.timeout if timeout is None else min(options.timeout, timeout)
            request = HttpRequest(
                "POST", "/v1/record", body=body, max_retries=0, timeout=max(attempt_timeout, 0.001)
            )
            return transport.send(request)

        queue = RecordQueue(send_queued, options.on_error, options.exit_flush_timeout)
        self._setup(options, transport, _SharedState(queue))
        self._owns_queue = True

    def _setup(
        self, options: ClientOptions, transport: HttpTransport, shared: _SharedState
    ) -> None:
        self._options = options
        self._transport = transport
        self._shared = shared
        #: The management API (needs an ``admin`` key).
        self.admin = Admin(transport)

    def with_options(
        self,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> AgentBillClient:
        """A client like this one with other per-request options; it shares the record queue.

        Example: ``client.with_options(timeout=1.0, max_retries=0).preflight(...)``.
        """
        replaced = ClientOptions(
            api_key=self._options.api_key,
            base_url=self._options.base_url,
            timeout=self._options.timeout if timeout is None else check_timeout("timeout", timeout),
            max_retries=self._options.max_retries
            if max_retries is None
            else check_count("max_retries", max_retries),
            fail_mode=self._options.fail_mode,
            default_customer_id=self._options.default_customer_id,
            headers={**self._options.headers, **check_headers("headers", headers)},
            max_queued_records=self._options.max_queued_records,
            on_error=self._options.on_error,
            exit_flush_timeout=self._options.exit_flush_timeout,
        )
        copy = object.__new__(AgentBillClient)
        copy._setup(replaced, HttpTransport(replaced), self._shared)
        # The queue stays the original's: closing the copy does not stop it.
        copy._owns_queue = False
        return copy

    @property
    def base_url(self) -> str:
        """The server this client talks to."""
        return self._options.base_url

    @property
    def fail_mode(self) -> FailMode:
        """What ``preflight`` answers when the server cannot be reached."""
        return self._options.fail_mode

    @property
    def pending_records(self) -> int:
        """How many records wait in this process for the server to come back."""
        return self._shared.queue.size

    def preflight(
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
        """Asks whether the customer has budget for a run, and may hold the estimate.

        A blocked answer is a normal result (``approved=False``, with ``reason`` and
        ``upgrade_url``), not an exception. When the server cannot be reached after the retries,
        the client's ``fail_mode`` decides and the result says ``degraded=True``.

        Args:
            agent_id: the agent about to run (1 to 200 printable characters).
            customer_id: who pays; default: the client's ``default_customer_id``.
            estimated_units: units the run is expected to use (default 1 on the server), or
                ``"auto"`` for the server's estimate from this agent's recent runs.
            ceiling: the most units this run may use; with ``run_id`` it covers the whole run.
            run_id: the run this call belongs to (preflights and records share its ceiling).
            reserve: hold the estimate until a record settles it, a release, or the TTL.
            ttl_seconds: how long a hold lasts, 1 to 86400; default: the project's (900).
            idempotency_key: the same key returns the first decision again and never holds
                twice; default: a new uuid4 for this call, the same on its every retry.

        Raises:
            AgentBillValidationError: for a bad argument (nothing is sent).
            AgentBillAPIError: when the server refuses the request (bad key, other 4xx).
        """
        prepared = prepare_preflight(
            agent_id=agent_id,
            customer_id=customer_id,
            estimated_units=estimated_units,
            ceiling=ceiling,
            run_id=run_id,
            reserve=reserve,
            ttl_seconds=ttl_seconds,
            idempotency_key=idempotency_key,
            default_customer_id=self._options.default_customer_id,
            new_key=_new_key(),
        )
        try:
            wire = self._transport.send(HttpRequest("POST", "/v1/preflight", body=prepared.body))
        except AgentBillError as error:
            if _is_unavailable(error):
                return degraded_preflight_result(prepared, self._options.fail_mode, error)
            raise
        return preflight_result(wire, prepared)

    def record(
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
        """Records usage that happened, exactly once per idempotency key.

        Never refused for lack of budget. When the server cannot be reached after the retries,
        the event is queued in this process and re-sent with the same key until accepted
        (``queued=True``; see :meth:`flush`).

        Args:
            agent_id: the agent that ran.
            customer_id: who pays; default: the client's ``default_customer_id``.
            units: units actually used (default 1; ``0`` is recorded as zero).
            metadata: a JSON object of at most 4 KiB (model, tokens, ...).
            idempotency_key: the same key always means the same event; derive it from your
                workflow's step id to make retried workflows safe. Default: a new uuid4 for this
                call, the same on its every retry and re-send.
            reservation_id: the hold this usage settles.
            run_id: the run this usage belongs to.

        Raises:
            AgentBillValidationError: for a bad argument (nothing is sent).
            AgentBillAPIError: when the server refuses the event (bad key, a reused
                idempotency key with other values: 422 ``idempotency_conflict``).
            AgentBillConnectionError: when the server is unreachable and ``max_queued_records``
                records already wait.
        """
        prepared = prepare_record(
            agent_id=agent_id,
            customer_id=customer_id,
            units=units,
            metadata=metadata,
            idempotency_key=idempotency_key,
            reservation_id=reservation_id,
            run_id=run_id,
            default_customer_id=self._options.default_customer_id,
            new_key=_new_key(),
        )
        queue = self._shared.queue
        with self._shared.in_flight():
            # While records already wait, the server is known to be down: try once, then queue.
            retries = 0 if queue.size > 0 else None
            try:
                wire = self._transport.send(
                    HttpRequest("POST", "/v1/record", body=prepared.body, max_retries=retries)
                )
            except AgentBillError as error:
                if not _is_unavailable(error):
                    raise
                if queue.size >= self._options.max_queued_records:
                    raise AgentBillConnectionError(
                        f"The AgentBill server is unreachable and {queue.size} records already "
                        "wait (max_queued_records)"
                    ) from error
                queue.add(prepared.body, prepared.idempotency_key)
                return RecordResult.queued_for(prepared)
            return RecordResult.from_wire(wire, prepared.idempotency_key)

    def flush(self, timeout: float = 30.0) -> FlushResult:
        """Waits for records in flight and re-sends queued ones, for at most ``timeout`` seconds.

        Call it before a process exits on purpose (the end of a serverless invocation, a
        ``SIGTERM`` handler): records still queued when the process ends are lost. The client
        also runs it at interpreter exit, bounded by ``exit_flush_timeout``.
        """
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not 0 <= timeout < math.inf
        ):
            raise AgentBillValidationError(
                "timeout", f"must be a number of seconds from 0, got {describe(timeout)}"
            )
        deadline = time.monotonic() + timeout
        self._shared.wait_idle(deadline)
        return self._shared.queue.flush(max(0.0, deadline - time.monotonic()))

    def close(self, timeout: float = 5.0) -> FlushResult:
        """Flushes queued records (for at most ``timeout`` s) and stops background re-sends.

        Records still pending afterwards stay in memory (``pending_records``): a later
        :meth:`flush`, or the exit hook, may still deliver them. Also called by
        ``with AgentBillClient(...)``. On a ``with_options`` copy it only flushes.
        """
        result = self.flush(timeout)
        if self._owns_queue:
            self._shared.queue.close()
        return result

    def __enter__(self) -> AgentBillClient:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    def release(self, reservation_id: str) -> Reservation:
        """Releases a hold (the run failed or was cancelled); a closed hold is left unchanged."""
        path = f"/v1/reservations/{encode_id('reservation_id', reservation_id)}/release"
        return Reservation.from_wire(self._transport.send(HttpRequest("POST", path)))

    def get_reservation(self, reservation_id: str) -> Reservation:
        """Reads a hold and its status (``open``, ``settled``, ``released``, ``expired``)."""
        path = f"/v1/reservations/{encode_id('reservation_id', reservation_id)}"
        return Reservation.from_wire(self._transport.send(HttpRequest("GET", path)))

    def balance(self, customer_id: Optional[str] = None) -> Balance:
        """The customer's balance now (a customer not seen before gets the free grant)."""
        customer = self._options.default_customer_id if customer_id is None else customer_id
        path = f"/v1/customers/{encode_id('customer_id', customer)}/balance"
        return Balance.from_wire(self._transport.send(HttpRequest("GET", path)))

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
        """One agent run as a ``with`` block (or ``async with``).

        On entry the run is preflighted (holding ``estimated_units`` when given); a blocked run
        raises :class:`BudgetExceededError` and the block never runs. Inside, the run is
        :func:`current_run`. On exit what was reported with ``run.report(units)`` is recorded
        (settling the hold); with nothing reported the hold is released. An exception does the
        same, then propagates.

        Example::

            with client.run(agent_id="researcher", customer_id="user_123", ceiling=50) as run:
                answer = my_agent(question)
                run.report(answer.units_used, metadata={"model": "gpt-4o"})

        Raises:
            AgentBillValidationError: for a bad argument, on entry (nothing is sent).
            BudgetExceededError: on entry, when the run is blocked.
        """
        return RunContext(
            self,
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
        """A decorator making every call of the function one metered run (see :meth:`run`).

        ``units`` is the units one call used: an ``int``, or a function of the call's result.
        Works on plain and ``async def`` functions (for the latter, the blocking HTTP calls run
        in a worker thread via ``asyncio.to_thread``).

        Example::

            @client.meter(agent_id="summarizer", units=lambda summary: summary.tokens)
            def summarize(document): ...
        """
        check_identifier("agent_id", agent_id)
        if not callable(units):
            check_units("units", units)
        run_arguments: Dict[str, Any] = {
            "agent_id": agent_id,
            "customer_id": customer_id,
            "ceiling": ceiling,
            "estimated_units": estimated_units,
            "ttl_seconds": ttl_seconds,
        }
        _check_run_arguments(run_arguments)

        def units_of(result: Any) -> int:
            return units(result) if callable(units) else units

        def decorate(function: _Function) -> _Function:
            if inspect.iscoroutinefunction(function):

                @functools.wraps(function)
                async def metered_async(*args: Any, **kwargs: Any) -> Any:
                    async with self.run(**run_arguments) as run:
                        result = await function(*args, **kwargs)
                        run.report(units_of(result))
                        return result

                return cast(_Function, metered_async)

            @functools.wraps(function)
            def metered(*args: Any, **kwargs: Any) -> Any:
                with self.run(**run_arguments) as run:
                    result = function(*args, **kwargs)
                    run.report(units_of(result))
                    return result

            return cast(_Function, metered)

        return decorate

    def _release_quietly(self, reservation_id: str) -> None:
        try:
            self.release(reservation_id)
        except AgentBillError as error:
            # The hold lapses at its TTL anyway; a failed release must not hide the caller's own
            # outcome.
            self._options.on_error(error)


def _check_run_arguments(arguments: Mapping[str, Any]) -> None:
    check_identifier("agent_id", arguments["agent_id"])
    check_optional_identifier("customer_id", arguments["customer_id"])
    check_optional_units("ceiling", arguments["ceiling"])
    if isinstance(arguments["estimated_units"], str):
        raise AgentBillValidationError(
            "estimated_units",
            f"must be an integer from 0 to 10^15 (a run holds it), got "
            f"{describe(arguments['estimated_units'])}",
        )
    check_optional_units("estimated_units", arguments["estimated_units"])
    check_optional_identifier("run_id", arguments.get("run_id"))
    check_optional_integer_in_range("ttl_seconds", arguments["ttl_seconds"], 1, 86_400)


class RunContext:
    """What ``client.run(...)`` returns: a ``with`` / ``async with`` block that is one run.

    Each ``RunContext`` is one run: enter it once.
    """

    def __init__(
        self,
        client: AgentBillClient,
        *,
        agent_id: str,
        customer_id: Optional[str],
        ceiling: Optional[int],
        estimated_units: Optional[int],
        run_id: Optional[str],
        ttl_seconds: Optional[int],
    ) -> None:
        self._client = client
        self._arguments: Dict[str, Any] = {
            "agent_id": agent_id,
            "customer_id": customer_id,
            "ceiling": ceiling,
            "estimated_units": estimated_units,
            "run_id": run_id,
            "ttl_seconds": ttl_seconds,
        }
        _check_run_arguments(self._arguments)
        self._run: Optional[Run] = None
        self._token: Any = None
        self._entered = False

    def _open(self) -> Run:
        if self._entered:
            raise AgentBillError(
                "A client.run(...) block can be entered once; call client.run again"
            )
        self._entered = True
        arguments = self._arguments
        customer_id: str = (
            self._client._options.default_customer_id
            if arguments["customer_id"] is None
            else arguments["customer_id"]
        )
        run_id: str = f"run_{_new_key()}" if arguments["run_id"] is None else arguments["run_id"]
        hold = arguments["estimated_units"] is not None
        preflight = self._client.preflight(
            agent_id=arguments["agent_id"],
            customer_id=customer_id,
            ceiling=arguments["ceiling"],
            run_id=run_id,
            estimated_units=arguments["estimated_units"],
            reserve=True if hold else None,
            ttl_seconds=arguments["ttl_seconds"],
        )
        if not preflight.approved:
            raise BudgetExceededError(
                preflight, customer_id=customer_id, agent_id=arguments["agent_id"]
            )
        return Run(
            run_id=run_id,
            agent_id=arguments["agent_id"],
            customer_id=customer_id,
            ceiling=arguments["ceiling"],
            preflight=preflight,
        )

    def _finish(self, run: Run, failed: bool) -> None:
        client = self._client
        preflight = run.preflight
        try:
            units = run.reported_units
            if units is not None:
                client.record(
                    agent_id=run.agent_id,
                    customer_id=run.customer_id,
                    units=units,
                    run_id=run.run_id,
                    metadata=run.reported_metadata,
                    reservation_id=preflight.reservation_id,
                    idempotency_key=f"{preflight.idempotency_key}:record",
                )
            elif preflight.reservation_id is not None:
                client._release_quietly(preflight.reservation_id)
        except AgentBillError as error:
            if not failed:
                raise
            # The block's own exception is the one to see; report this one instead of hiding it.
            client._options.on_error(error)

    def __enter__(self) -> Run:
        self._run = self._open()
        self._token = _current_run.set(self._run)
        return self._run

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        run = self._run
        if self._token is not None:
            _current_run.reset(self._token)
            self._token = None
        if run is not None:
            self._finish(run, failed=exc_type is not None)

    async def __aenter__(self) -> Run:
        # The HTTP call blocks: run it in a worker thread, and set the run in this task's context.
        self._run = await asyncio.to_thread(self._open)
        self._token = _current_run.set(self._run)
        return self._run

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        run = self._run
        if self._token is not None:
            _current_run.reset(self._token)
            self._token = None
        if run is not None:
            await asyncio.to_thread(self._finish, run, exc_type is not None)
