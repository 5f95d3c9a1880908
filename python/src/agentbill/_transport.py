"""HTTP to the AgentBill API over ``urllib``: timeouts, retries with backoff, typed errors."""

from __future__ import annotations

import http.client
import json
import platform
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple, Union, cast
from urllib.parse import quote, urlencode

from ._errors import (
    AgentBillAPIError,
    AgentBillConnectionError,
    AgentBillError,
    AgentBillTimeoutError,
)
from ._options import ClientOptions
from ._retry import is_retryable_status, retry_delay
from ._validation import check_identifier, compact_json
from ._version import __version__

#: A query string value; ``None`` leaves the parameter out.
QueryValue = Union[str, int, bool, None]

USER_AGENT = f"agentbill-python/{__version__} python/{platform.python_version()}"


@dataclass(frozen=True)
class HttpRequest:
    """One logical call to the API; every retry of it sends exactly the same bytes."""

    method: str
    path: str
    body: Optional[Mapping[str, Any]] = None
    query: Optional[Mapping[str, QueryValue]] = None
    #: Send the ``Authorization`` header.
    authenticated: bool = True
    #: Seconds one attempt may take; ``None``: the client's.
    timeout: Optional[float] = None
    #: Retries of 408/409/429/5xx and connection errors; ``None``: the client's.
    max_retries: Optional[int] = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # An API client must not follow redirects: urllib would replay the Authorization header to
    # wherever the redirect points, and turn a POST into a GET. A 3xx becomes an API error.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class _Failure:
    error: AgentBillError
    retryable: bool
    headers: Optional[Mapping[str, str]] = None


def encode_id(param: str, value: object) -> str:
    """Checks an id that goes into a URL path and escapes it."""
    return quote(check_identifier(param, value), safe="")


class HttpTransport:
    """Sends requests with timeouts and retries.

    408, 409, 429, 5xx and connection failures are retried with exponential backoff (or the
    server's ``Retry-After``); any other 4xx fails at once. Uses ``urllib``, so the usual
    ``HTTPS_PROXY``/``NO_PROXY`` environment variables apply. Safe to share between threads.
    """

    def __init__(self, options: ClientOptions) -> None:
        self._options = options
        self._opener = urllib.request.build_opener(_NoRedirect())

    @property
    def options(self) -> ClientOptions:
        """The options this transport sends with."""
        return self._options

    def send(self, request: HttpRequest) -> Dict[str, Any]:
        """Sends ``request``, retrying as allowed, and answers the JSON object of the response.

        Raises:
            AgentBillAPIError: for an error status not retried, or still failing after the last
                retry.
            AgentBillTimeoutError: when the last attempt timed out.
            AgentBillConnectionError: when the last attempt could not connect.
        """
        max_retries = (
            request.max_retries if request.max_retries is not None else self._options.max_retries
        )
        timeout = request.timeout if request.timeout is not None else self._options.timeout
        url = self._url(request)
        data, headers = self._payload(request)
        attempt = 0
        while True:
            outcome = self._attempt(request.method, url, data, headers, timeout)
            if not isinstance(outcome, _Failure):
                return outcome
            if attempt >= max_retries or not outcome.retryable:
                raise outcome.error
            time.sleep(retry_delay(attempt, outcome.headers))
            attempt += 1

    def _url(self, request: HttpRequest) -> str:
        url = self._options.base_url + request.path
        if request.query:
            pairs = [
                (name, ("true" if value else "false") if isinstance(value, bool) else str(value))
                for name, value in request.query.items()
                if value is not None
            ]
            if pairs:
                url += "?" + urlencode(pairs)
        return url

    def _payload(self, request: HttpRequest) -> Tuple[Optional[bytes], Dict[str, str]]:
        headers = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            **self._options.headers,
        }
        if request.authenticated:
            headers["Authorization"] = f"Bearer {self._options.api_key}"
        data: Optional[bytes] = None
        if request.body is not None:
            data = compact_json(dict(request.body)).encode("utf-8")
            headers["Content-Type"] = "application/json"
        elif request.method in ("POST", "PATCH"):
            data = b""
        return data, headers

    def _attempt(
        self,
        method: str,
        url: str,
        data: Optional[bytes],
        headers: Mapping[str, str],
        timeout: float,
    ) -> Union[Dict[str, Any], _Failure]:
        http_request = urllib.request.Request(url, data=data, headers=dict(headers), method=method)
        try:
            try:
                with self._opener.open(http_request, timeout=timeout) as response:
                    status = response.status
                    response_headers = _lower(response.headers)
                    raw = response.read()
            except urllib.error.HTTPError as error:
                status = error.code
                response_headers = _lower(error.headers)
                try:
                    raw = error.read()
                finally:
                    error.close()
                body = _parse(raw)
                return _Failure(
                    AgentBillAPIError.from_response(status, response_headers, body, error.reason),
                    is_retryable_status(status),
                    response_headers,
                )
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                return _timeout(timeout, reason)
            failure = AgentBillConnectionError(
                f"Could not reach the AgentBill server at {self._options.base_url}: {reason}"
            )
            failure.__cause__ = error
            return _Failure(failure, True)
        except (socket.timeout, TimeoutError) as error:
            return _timeout(timeout, error)
        except (OSError, http.client.HTTPException) as error:
            # Reset, refused, or the connection closed before a whole answer arrived.
            failure = AgentBillConnectionError(
                f"Could not reach the AgentBill server at {self._options.base_url}: "
                f"{type(error).__name__}: {error}"
            )
            failure.__cause__ = error
            return _Failure(failure, True)
        body = _parse(raw)
        if isinstance(body, dict):
            return cast(Dict[str, Any], body)
        return _Failure(
            AgentBillError(
                f"Expected a JSON object from {url} (status {status}); "
                "is base_url an AgentBill server?"
            ),
            False,
        )


def _timeout(timeout: float, cause: BaseException) -> _Failure:
    error = AgentBillTimeoutError(timeout)
    error.__cause__ = cause
    return _Failure(error, True)


def _lower(headers: Any) -> Dict[str, str]:
    if headers is None:
        return {}
    return {str(name).lower(): str(value) for name, value in headers.items()}


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return raw.decode("utf-8", errors="replace")
