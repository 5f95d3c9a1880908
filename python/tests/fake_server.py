"""A scripted HTTP server for what the real AgentBill server cannot be made to do on demand.

The Python counterpart of msw in the TypeScript tests: a 503 and then a success, a
``Retry-After``, a hang (for timeouts), a connection reset, and a response lost after the real
server processed the request (a proxy step). Everything else is tested against the real server.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Union


@dataclass(frozen=True)
class Reply:
    """Answer with this status, headers and JSON body."""

    status: int = 200
    body: Any = None
    headers: Dict[str, str] = field(default_factory=lambda: {})
    #: Send this raw text instead of JSON.
    raw: Optional[str] = None


@dataclass(frozen=True)
class Hang:
    """Read the request, then answer nothing until ``seconds`` pass (or the server closes)."""

    seconds: float = 30.0


@dataclass(frozen=True)
class Reset:
    """Read the request, then reset the connection (TCP RST) without answering."""


@dataclass(frozen=True)
class Forward:
    """Send the request on to ``target`` (the real server); ``lose_answer`` resets instead of
    relaying its answer, as when a connection drops after the server committed the write."""

    target: str
    lose_answer: bool = False


Step = Union[Reply, Hang, Reset, Forward]


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as the fake server saw it."""

    method: str
    path: str
    headers: Dict[str, str]
    raw_body: bytes
    at: float

    @property
    def json(self) -> Any:
        return json.loads(self.raw_body.decode("utf-8")) if self.raw_body else None


class FakeServer:
    """Plays ``steps`` in order, one per request; the last step repeats once they run out."""

    def __init__(self, steps: List[Step]) -> None:
        if not steps:
            raise ValueError("give at least one step")
        self._steps = list(steps)
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.requests: List[ReceivedRequest] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw_body = self.rfile.read(length) if length else b""
                with fake._lock:
                    fake.requests.append(
                        ReceivedRequest(
                            method=self.command,
                            path=self.path,
                            headers={name.lower(): value for name, value in self.headers.items()},
                            raw_body=raw_body,
                            at=time.monotonic(),
                        )
                    )
                    index = min(len(fake.requests) - 1, len(fake._steps) - 1)
                    step = fake._steps[index]
                self.close_connection = True
                if isinstance(step, Reply):
                    self._reply(step.status, step.headers, step.raw if step.raw is not None else json.dumps(step.body))
                elif isinstance(step, Hang):
                    fake._closing.wait(step.seconds)
                    self._reset()
                elif isinstance(step, Reset):
                    self._reset()
                else:
                    self._forward(step, raw_body)

            def _reply(self, status: int, headers: Dict[str, str], text: str) -> None:
                payload = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _reset(self) -> None:
                # SO_LINGER with a zero timeout makes close() send a RST instead of a FIN.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()

            def _forward(self, step: Forward, raw_body: bytes) -> None:
                headers = {
                    name: value
                    for name, value in self.headers.items()
                    if name.lower() not in ("host", "content-length", "connection")
                }
                request = urllib.request.Request(
                    step.target + self.path,
                    data=raw_body if self.command in ("POST", "PATCH") else None,
                    headers=headers,
                    method=self.command,
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        status, answer = response.status, response.read()
                        answer_headers = dict(response.headers.items())
                except urllib.error.HTTPError as error:
                    status, answer = error.code, error.read()
                    answer_headers = dict(error.headers.items())
                if step.lose_answer:
                    self._reset()
                    return
                relayed = {
                    name: value
                    for name, value in answer_headers.items()
                    if name.lower() in ("x-request-id", "retry-after")
                }
                self._reply(status, relayed, answer.decode("utf-8"))

            def finish(self) -> None:
                try:
                    super().finish()
                except OSError:
                    pass

            do_GET = _handle
            do_POST = _handle
            do_PATCH = _handle
            do_DELETE = _handle

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def unused_port() -> int:
    """A port nothing listens on right now (connections to it are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: A valid preflight answer, for tests that only need the call to succeed.
APPROVED = {
    "approved": True,
    "preflight_id": "dec_fake",
    "remaining_units": 990,
    "estimated_units": 10,
    "estimate_source": "request",
    "reservation_id": None,
    "expires_at": None,
    "run_id": None,
    "reason": None,
    "upgrade_url": None,
    "ceiling": None,
}

#: A valid record answer.
RECORDED = {
    "recorded": True,
    "duplicate": False,
    "event_id": "evt_fake",
    "units": 10,
    "remaining_units": 990,
    "overage_units": 0,
    "reservation_status": None,
}
