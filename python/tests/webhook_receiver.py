"""A webhook receiver on 127.0.0.1 for the end-to-end tests: what a user's endpoint would be.

It keeps every POST exactly as received (path, headers, raw body bytes) and answers 204. Tests
wait for deliveries with :meth:`WebhookReceiver.wait_for`, which blocks on a condition until the
count is reached or the time-out passes: no fixed sleeps.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional


@dataclass(frozen=True)
class ReceivedDelivery:
    """One POST as the receiver saw it."""

    path: str
    #: Case-insensitive, as a web framework would hand them over.
    headers: Message
    #: The raw body, exactly as received (what :func:`agentbill.verify_webhook` needs).
    body: bytes

    def header(self, name: str) -> Optional[str]:
        """One header's value; ``None`` when absent."""
        return self.headers.get(name)


class WebhookReceiver:
    """A threaded HTTP server on a free loopback port that records POSTs and answers 204."""

    def __init__(self) -> None:
        self.deliveries: List[ReceivedDelivery] = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                self.send_response(204)
                self.end_headers()
                with receiver._changed:
                    receiver.deliveries.append(ReceivedDelivery(self.path, self.headers, body))
                    receiver._changed.notify_all()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(
        self, count: int, timeout: float = 15.0, path: Optional[str] = None
    ) -> List[ReceivedDelivery]:
        """Waits until ``count`` deliveries (to ``path``, if given) came; raises on time-out."""

        def matching() -> List[ReceivedDelivery]:
            return [item for item in self.deliveries if path is None or item.path == path]

        with self._changed:
            if not self._changed.wait_for(lambda: len(matching()) >= count, timeout):
                raise AssertionError(
                    f"expected {count} deliveries to {path or 'any path'} within {timeout} s, "
                    f"got {len(matching())}"
                )
            return matching()

    def close(self) -> None:
        """Stops serving and frees the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
