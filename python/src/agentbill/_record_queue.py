"""Records the server could not take yet, re-sent with their first idempotency key."""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from ._errors import AgentBillAPIError, AgentBillError
from ._retry import is_retryable_status

#: The first wait before a queued record is re-sent, in seconds; doubled per failed pass.
FIRST_REDELIVERY = 1.0
#: The longest wait between passes, in seconds.
MAX_REDELIVERY = 30.0


@dataclass
class QueuedRecord:
    """One record waiting for the server, with the body (and key) it was first sent with."""

    body: Dict[str, Any]
    idempotency_key: str
    queued_at: float = field(default_factory=time.time)
    attempts: int = 0


@dataclass(frozen=True)
class FlushResult:
    """What ``flush`` did."""

    #: Records the server accepted during this flush.
    delivered: int
    #: Records still waiting (the server is still unreachable, or the timeout came first).
    pending: int


#: Sends one record body once (no retries); the second argument caps the attempt's timeout.
SendRecord = Callable[[Dict[str, Any], Optional[float]], object]


class RecordQueue:
    """Keeps records the server could not take and re-sends them until it accepts them.

    Re-sending uses the record's first idempotency key, so an event the server had already
    stored before the connection dropped is not counted twice. A background timer thread
    (a daemon: it never keeps the process alive) re-sends with backoff from 1 s to 30 s. The
    queue lives in memory: what is still queued when the process ends is lost unless a flush
    delivers it first (the client registers one at exit).
    """

    def __init__(
        self,
        send: SendRecord,
        on_error: Callable[[AgentBillError], None],
        exit_flush_timeout: Optional[float] = None,
    ) -> None:
        self._send = send
        self._on_error = on_error
        #: Seconds the exit hook may spend re-sending this queue; ``None``: it does not.
        self.exit_flush_timeout = exit_flush_timeout
        self._items: List[QueuedRecord] = []
        self._lock = threading.Lock()
        # One pass over the queue at a time, whoever starts it (the timer, flush, or both).
        self._pass_lock = threading.Lock()
        self._timer: Optional[threading.Timer] = None
        self._failures = 0
        self._closed = False
        _live_queues.add(self)

    @property
    def size(self) -> int:
        """How many records wait."""
        with self._lock:
            return len(self._items)

    def add(self, body: Dict[str, Any], idempotency_key: str) -> None:
        """Queues a record and schedules a re-send."""
        with self._lock:
            self._items.append(QueuedRecord(body=body, idempotency_key=idempotency_key))
        self._schedule()

    def flush(self, timeout: float) -> FlushResult:
        """Re-sends every queued record now, and again with backoff, for at most ``timeout`` s."""
        deadline = time.monotonic() + timeout
        delivered = 0
        while self.size > 0:
            delivered += self._run_pass(deadline)
            if self.size == 0:
                break
            wait = min(self._backoff(), deadline - time.monotonic())
            if wait <= 0:
                break
            time.sleep(wait)
        return FlushResult(delivered=delivered, pending=self.size)

    def close(self) -> None:
        """Stops the background re-sends (queued records stay, and ``flush`` still works)."""
        with self._lock:
            self._closed = True
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _backoff(self) -> float:
        with self._lock:
            failures = self._failures
        return min(FIRST_REDELIVERY * 2 ** max(0, failures - 1), MAX_REDELIVERY)

    def _schedule(self) -> None:
        delay = self._backoff()
        with self._lock:
            if self._closed or self._timer is not None or not self._items:
                return
            timer = threading.Timer(delay, self._on_timer)
            timer.daemon = True
            self._timer = timer
        try:
            timer.start()
        except RuntimeError:
            # The interpreter is shutting down and makes no new threads; the exit hook flushes.
            with self._lock:
                self._timer = None

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
        self._run_pass(None)
        self._schedule()

    def _run_pass(self, deadline: Optional[float]) -> int:
        """One pass over the queue; answers how many records the server accepted."""
        if deadline is None:
            self._pass_lock.acquire()
        elif not self._pass_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            return 0
        try:
            delivered = 0
            with self._lock:
                snapshot = list(self._items)
            for record in snapshot:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                record.attempts += 1
                try:
                    self._send(record.body, remaining)
                except AgentBillError as error:
                    if (
                        isinstance(error, AgentBillAPIError)
                        and not is_retryable_status(error.status)
                        and error.status not in (401, 403)
                    ):
                        # The server refused this body outright and always will: keeping it
                        # would retry forever. Report it instead of dropping it silently.
                        self._remove(record)
                        self._on_error(error)
                        continue
                    with self._lock:
                        self._failures += 1
                    self._on_error(error)
                    # Still unreachable (or the key is refused): the rest would fail the same way.
                    break
                self._remove(record)
                delivered += 1
                with self._lock:
                    self._failures = 0
            return delivered
        finally:
            self._pass_lock.release()

    def _remove(self, record: QueuedRecord) -> None:
        with self._lock:
            for index, item in enumerate(self._items):
                if item is record:
                    del self._items[index]
                    break


# Every queue that may still hold records. Weak: a client nobody uses any more goes away with
# its queue; but a queue with records waiting stays alive through its timer thread, which holds
# it, so the exit hook still finds it.
_live_queues: weakref.WeakSet[RecordQueue] = weakref.WeakSet()


def flush_at_exit() -> None:
    """Re-sends what every queue still holds, each for at most its ``exit_flush_timeout``.

    Registered once with ``atexit``: it runs when the interpreter exits normally (not on
    ``SIGKILL``, ``os._exit`` or an unhandled ``SIGTERM``). Records it cannot deliver are
    reported lost to the queue's ``on_error``.
    """
    for queue in list(_live_queues):
        if queue.exit_flush_timeout is None or queue.size == 0:
            continue
        result = queue.flush(queue.exit_flush_timeout)
        if result.pending > 0:
            queue._on_error(
                AgentBillError(
                    f"{result.pending} usage records could not be delivered to the AgentBill "
                    "server before the process exited and are lost (waited "
                    f"{queue.exit_flush_timeout:g} s)"
                )
            )


atexit.register(flush_at_exit)
