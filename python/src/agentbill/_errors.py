"""Every exception the client raises.

One module rather than one file per class (the TypeScript client's layout): Python users look
for ``agentbill.XError`` at the package root, and the classes are small. Each keeps its fields
as attributes and survives ``pickle`` (for ``multiprocessing`` and task queues), which the
default ``Exception`` pickling would not do for keyword-only constructors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Type, cast

if TYPE_CHECKING:
    from ._preflight import PreflightResult

__all__ = [
    "AgentBillAPIError",
    "AgentBillConfigurationError",
    "AgentBillConnectionError",
    "AgentBillError",
    "AgentBillTimeoutError",
    "AgentBillValidationError",
    "AgentBillWebhookVerificationError",
    "BudgetExceededError",
]


def _rebuild(cls: Type[AgentBillError], message: str, state: Dict[str, Any]) -> AgentBillError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class AgentBillError(Exception):
    """The base class of every error this package raises. Catch it to catch them all."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        #: What went wrong, for a person reading a log.
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))


class AgentBillConfigurationError(AgentBillError):
    """The client was built without something it needs (an API key) or with a bad option."""


class AgentBillValidationError(AgentBillError, ValueError):
    """An argument was rejected before any request was sent; nothing was sent, nothing changed.

    Also a ``ValueError``, so code that already handles bad values handles it.
    """

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"Invalid {param}: {message}")
        #: The argument at fault, as the caller spelled it (``units``, ``metadata.model``).
        self.param = param


class AgentBillWebhookVerificationError(AgentBillError):
    """A webhook delivery failed verification; do not act on its body, answer it with a 400.

    No or a malformed ``AgentBill-Signature`` header, a signature that does not match the body
    and your endpoint's secret, a timestamp outside the tolerance (a replay), or a body that is
    not an event.
    """


class AgentBillConnectionError(AgentBillError):
    """The AgentBill server could not be reached (refused, reset, DNS), after every retry.

    The underlying ``OSError`` is the exception's ``__cause__``.
    """

    def __init__(self, message: str = "Could not connect to the AgentBill server") -> None:
        super().__init__(message)


class AgentBillTimeoutError(AgentBillConnectionError):
    """The server did not answer within the timeout, after every retry (a connection error)."""

    def __init__(self, timeout: float) -> None:
        super().__init__(f"The AgentBill server did not answer within {timeout:g} s")
        #: The timeout of the last attempt, in seconds.
        self.timeout = timeout


_DEFAULT_TYPES = {
    400: "invalid_request",
    401: "authentication_failed",
    403: "permission_denied",
    404: "not_found",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "idempotency_conflict",
    429: "rate_limited",
}


class AgentBillAPIError(AgentBillError):
    """The server answered with an error status (a 4xx, or a 5xx still failing after the retries).

    Made in one place, :meth:`from_response`, from the status and the ``{"error": {...}}`` body.
    """

    def __init__(
        self,
        *,
        status: int,
        type: str,
        message: str,
        param: Optional[str] = None,
        request_id: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        body: Any = None,
    ) -> None:
        where = "" if param is None else f" (param: {param})"
        super().__init__(f"{status} {type}: {message}{where}")
        #: The HTTP status, such as 400 or 503.
        self.status = status
        #: The error's ``type`` (``invalid_request``, ``idempotency_conflict``, ...).
        self.type = type
        #: The request field at fault when the server named one (``estimated_units``).
        self.param = param
        #: The server's ``x-request-id``, to quote when reporting a problem.
        self.request_id = request_id
        #: The response headers, with lower-case names.
        self.headers: Mapping[str, str] = dict(headers or {})
        #: The parsed response body (a dict for JSON bodies).
        self.body = body

    @classmethod
    def from_response(
        cls, status: int, headers: Mapping[str, str], body: Any, reason: str = ""
    ) -> AgentBillAPIError:
        """Builds the error from a non-2xx response whose body was parsed into ``body``."""
        detail: Mapping[str, Any] = {}
        if isinstance(body, dict):
            inner = cast(Dict[str, Any], body).get("error")
            if isinstance(inner, dict):
                detail = cast(Dict[str, Any], inner)
        error_type = detail.get("type")
        message = detail.get("message")
        param = detail.get("param")
        return cls(
            status=status,
            type=error_type
            if isinstance(error_type, str)
            else _DEFAULT_TYPES.get(status, "internal" if status >= 500 else "unknown"),
            message=message
            if isinstance(message, str)
            else (reason or "The AgentBill server returned an error"),
            param=param if isinstance(param, str) else None,
            request_id=headers.get("x-request-id"),
            headers=headers,
            body=body,
        )


class BudgetExceededError(AgentBillError):
    """A run was blocked before it spent anything.

    The customer's budget is exhausted (``budget_exhausted``), the run's ceiling would be passed
    (``ceiling_exceeded``), or, with ``fail_mode="closed"``, the server could not be reached
    (``unavailable``). ``client.run`` and ``client.meter`` raise it before the body runs; a plain
    ``client.preflight`` returns a blocked result instead of raising.
    """

    def __init__(
        self,
        preflight: PreflightResult,
        *,
        customer_id: Optional[str] = None,
        agent_id: Optional[str] = None,
    ) -> None:
        super().__init__(_describe(preflight, customer_id))
        #: The blocked preflight.
        self.preflight = preflight
        #: Why: ``budget_exhausted``, ``ceiling_exceeded`` or ``unavailable``.
        self.reason = preflight.reason or "budget_exhausted"
        #: What the customer has left (``None``: unlimited, or the server was unreachable).
        self.remaining_units = preflight.remaining_units
        #: The units the blocked run asked for.
        self.estimated_units = preflight.estimated_units
        #: Where the customer can buy more, when the project has an upgrade URL.
        self.upgrade_url = preflight.upgrade_url
        #: The run that was blocked, if it had an id.
        self.run_id = preflight.run_id
        #: The stored decision (``dec_...``), ``None`` when the server was unreachable.
        self.preflight_id = preflight.preflight_id
        #: The customer whose budget blocked the run.
        self.customer_id = customer_id
        #: The agent that was blocked.
        self.agent_id = agent_id


def _describe(preflight: PreflightResult, customer_id: Optional[str]) -> str:
    upgrade = "" if preflight.upgrade_url is None else f" Upgrade: {preflight.upgrade_url}"
    if preflight.reason == "ceiling_exceeded":
        return (
            f"Blocked: {preflight.estimated_units} more units would pass the run's ceiling."
            f"{upgrade}"
        )
    if preflight.reason == "unavailable":
        return 'Blocked: the AgentBill server could not be reached and fail_mode is "closed".'
    who = "the customer" if customer_id is None else f"customer {customer_id!r}"
    remaining = preflight.remaining_units if preflight.remaining_units is not None else 0
    return (
        f"Blocked: {who} has {remaining} units left, {preflight.estimated_units} needed.{upgrade}"
    )
