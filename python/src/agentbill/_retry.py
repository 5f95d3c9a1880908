"""When to retry a request, and how long to wait first."""

from __future__ import annotations

import random as _random
import time
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping, Optional

#: The first backoff delay in seconds, doubled on every further retry.
INITIAL_DELAY = 0.5
#: The longest backoff delay, in seconds.
MAX_DELAY = 8.0
#: The longest server-requested wait (``Retry-After``) the client honours, in seconds.
MAX_RETRY_AFTER = 60.0


def is_retryable_status(status: int) -> bool:
    """Whether an answer with this status may succeed when sent again (408, 409, 429, 5xx)."""
    return status in (408, 409, 429) or status >= 500


def retry_delay(
    retry: int,
    headers: Optional[Mapping[str, str]] = None,
    random: Callable[[], float] = _random.random,
    now: Callable[[], float] = time.time,
) -> float:
    """Seconds to wait before retry number ``retry`` (0 for the first retry).

    The server's ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date) when it asks for
    0 to 60 s; else exponential backoff from 0.5 s, doubling, capped at 8 s, with up to 25%
    jitter subtracted so that many clients do not retry in step. ``headers`` has lower-case names.
    """
    requested = _requested_delay(headers, now)
    if requested is not None and 0 <= requested <= MAX_RETRY_AFTER:
        return requested
    base = min(INITIAL_DELAY * 2**retry, MAX_DELAY)
    return base * (1 - random() * 0.25)


def _requested_delay(
    headers: Optional[Mapping[str, str]], now: Callable[[], float]
) -> Optional[float]:
    if headers is None:
        return None
    milliseconds = (headers.get("retry-after-ms") or "").strip()
    if milliseconds:
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    retry_after = (headers.get("retry-after") or "").strip()
    if not retry_after:
        return None
    try:
        return float(retry_after)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(retry_after)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return when.timestamp() - now()
