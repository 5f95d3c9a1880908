"""One agent run: its handle, and the context variable that makes it the current run."""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Any, Dict, Mapping, Optional

from ._preflight import PreflightResult
from ._validation import check_optional_metadata, check_units

_current_run: ContextVar[Optional[Run]] = ContextVar("agentbill_current_run", default=None)


def current_run() -> Optional[Run]:
    """The run opened by the nearest enclosing ``client.run(...)``, or ``None`` outside one.

    It follows ``contextvars``: visible in the code of the ``with`` block and in asyncio tasks it
    starts; a new ``threading.Thread`` starts without it (use ``contextvars.copy_context().run``
    to carry it into one; ``asyncio.to_thread`` carries it).
    """
    return _current_run.get()


class Run:
    """The current run, as ``with client.run(...) as run`` hands it out.

    Report what the run used with :meth:`report`; it is recorded when the block ends (even by an
    exception). Nothing reported: the up-front hold, if any, is released.
    """

    def __init__(
        self,
        *,
        run_id: str,
        agent_id: str,
        customer_id: str,
        ceiling: Optional[int],
        preflight: PreflightResult,
    ) -> None:
        #: The run's id: preflights and records under it share one ceiling.
        self.run_id = run_id
        #: The agent running.
        self.agent_id = agent_id
        #: The customer paying.
        self.customer_id = customer_id
        #: The most units the whole run may use, if it has a ceiling.
        self.ceiling = ceiling
        #: The preflight that opened the run.
        self.preflight = preflight
        self._lock = threading.Lock()
        self._reported_units: Optional[int] = None
        self._reported_metadata: Optional[Dict[str, Any]] = None

    def report(self, units: int, metadata: Optional[Mapping[str, Any]] = None) -> None:
        """Adds ``units`` to what the run used (and merges ``metadata``), recorded at the end.

        Raises:
            AgentBillValidationError: for units that are not an integer from 0 to 10^15, or
                metadata that is not a JSON object of at most 4 KiB.
        """
        checked_units = check_units("units", units)
        checked_metadata = check_optional_metadata("metadata", metadata)
        with self._lock:
            previous = 0 if self._reported_units is None else self._reported_units
            self._reported_units = previous + checked_units
            if checked_metadata is not None:
                merged = dict(self._reported_metadata or {})
                merged.update(checked_metadata)
                self._reported_metadata = merged

    @property
    def reported_units(self) -> Optional[int]:
        """The units reported so far, or ``None`` when nothing was reported."""
        with self._lock:
            return self._reported_units

    @property
    def reported_metadata(self) -> Optional[Dict[str, Any]]:
        """The metadata reported so far, merged, or ``None``."""
        with self._lock:
            return None if self._reported_metadata is None else dict(self._reported_metadata)

    def __repr__(self) -> str:
        return (
            f"Run(run_id={self.run_id!r}, agent_id={self.agent_id!r}, "
            f"customer_id={self.customer_id!r}, ceiling={self.ceiling!r}, "
            f"reported_units={self.reported_units!r})"
        )
