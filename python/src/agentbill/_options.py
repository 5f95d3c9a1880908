"""The client's options, resolved once from arguments, the environment and defaults."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Callable, Dict, Literal, Mapping, Optional, cast
from urllib.parse import urlsplit

from ._environment import read_environment
from ._errors import AgentBillConfigurationError, AgentBillError

#: What ``preflight`` answers when the server cannot be reached after every retry.
FailMode = Literal["closed", "open"]

#: The server when neither ``base_url`` nor ``AGENTBILL_BASE_URL`` is set.
DEFAULT_BASE_URL = "http://localhost:8787"

_logger = logging.getLogger("agentbill")


def log_error(error: AgentBillError) -> None:
    """The default ``on_error``: one warning line on the ``agentbill`` logger."""
    _logger.warning("[agentbill] %s: %s", type(error).__name__, error)


@dataclass(frozen=True)
class ClientOptions:
    """Every option of a client, with defaults applied (see ``AgentBillClient`` for each)."""

    #: Kept out of ``repr`` so that logs and tracebacks do not carry the secret.
    api_key: str = field(repr=False)
    base_url: str
    timeout: float
    max_retries: int
    fail_mode: FailMode
    default_customer_id: str
    headers: Mapping[str, str] = field(
        default_factory=lambda: cast(Dict[str, str], {}), repr=False
    )
    max_queued_records: int = 100_000
    on_error: Callable[[AgentBillError], None] = log_error
    exit_flush_timeout: Optional[float] = 5.0


def resolve_base_url(base_url: Optional[str]) -> str:
    """The option, else ``AGENTBILL_BASE_URL``, else the default; trailing slashes removed."""
    resolved = base_url if base_url is not None else read_environment("AGENTBILL_BASE_URL")
    if resolved is None:
        resolved = DEFAULT_BASE_URL
    if not isinstance(resolved, str):
        raise AgentBillConfigurationError(
            f"base_url must be a string, got {type(resolved).__name__}"
        )
    resolved = resolved.strip().rstrip("/")
    parts = urlsplit(resolved)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AgentBillConfigurationError(f"base_url must be an http(s) URL, got {resolved!r}")
    return resolved


def check_timeout(name: str, value: object) -> float:
    """A positive, finite number of seconds."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise AgentBillConfigurationError(
            f"{name} must be a positive number of seconds, got {value!r}"
        )
    return float(value)


def check_count(name: str, value: object) -> int:
    """A non-negative ``int`` (``0`` is a value: ``max_retries=0`` disables retries)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AgentBillConfigurationError(f"{name} must be a non-negative integer, got {value!r}")
    return value


def check_headers(name: str, value: object) -> Dict[str, str]:
    """A mapping of header names to values, both strings without line breaks."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AgentBillConfigurationError(f"{name} must be a dict of strings")
    headers: Dict[str, str] = {}
    for key, item in cast(Mapping[object, object], value).items():
        if (
            not isinstance(key, str)
            or not isinstance(item, str)
            or any(character in key + item for character in "\r\n")
        ):
            raise AgentBillConfigurationError(
                f"{name} must map strings to strings without line breaks, got {key!r}: {item!r}"
            )
        headers[key] = item
    return headers


def resolve_options(
    *,
    api_key: Optional[str],
    base_url: Optional[str],
    timeout: float,
    max_retries: int,
    fail_mode: str,
    default_customer_id: str,
    headers: Optional[Mapping[str, str]],
    max_queued_records: int,
    on_error: Optional[Callable[[AgentBillError], None]],
    exit_flush_timeout: Optional[float],
) -> ClientOptions:
    """Checks the options and applies the environment and defaults.

    Raises:
        AgentBillConfigurationError: without an API key (argument or ``AGENTBILL_API_KEY``), or
            with an option out of range.
    """
    key = api_key if api_key is not None else read_environment("AGENTBILL_API_KEY")
    if key is None or not isinstance(key, str) or key.strip() == "":
        raise AgentBillConfigurationError(
            "No AgentBill API key: pass api_key=... to AgentBillClient(...) or set the "
            "AGENTBILL_API_KEY environment variable"
        )
    if fail_mode not in ("closed", "open"):
        raise AgentBillConfigurationError(
            f"fail_mode must be 'closed' or 'open', got {fail_mode!r}"
        )
    if not isinstance(default_customer_id, str) or default_customer_id == "":
        raise AgentBillConfigurationError(
            f"default_customer_id must be a non-empty string, got {default_customer_id!r}"
        )
    if on_error is not None and not callable(on_error):
        raise AgentBillConfigurationError("on_error must be callable")
    return ClientOptions(
        api_key=key.strip(),
        base_url=resolve_base_url(base_url),
        timeout=check_timeout("timeout", timeout),
        max_retries=check_count("max_retries", max_retries),
        fail_mode="open" if fail_mode == "open" else "closed",
        default_customer_id=default_customer_id,
        headers=check_headers("headers", headers),
        max_queued_records=check_count("max_queued_records", max_queued_records),
        on_error=on_error if on_error is not None else log_error,
        exit_flush_timeout=None
        if exit_flush_timeout is None
        else check_timeout("exit_flush_timeout", exit_flush_timeout),
    )
