"""The real AgentBill server (``packages/server``) as a child process, for end-to-end tests.

Starts the built CLI by path on a free port and a SQLite file, reads the admin key it prints
once for a new database, and can stop and start it again on the same file (a real outage).
The root test command builds every package first; run ``npx turbo run build`` when
``packages/server/dist/cli.js`` is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from typing import Optional

from .fake_server import unused_port

REPOSITORY = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)
CLI = os.path.join(REPOSITORY, "packages", "server", "dist", "cli.js")
_ADMIN_KEY = re.compile(r"Admin key \(shown once, keep it\): (agb_\w+)")


class ServerProcess:
    """One ``agentbill-server`` process on its own SQLite file."""

    def __init__(self, *extra_arguments: str) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not on PATH: the end-to-end tests start the real server")
        if not os.path.exists(CLI):
            raise RuntimeError(
                f"The AgentBill server is not built ({CLI} is missing): run "
                "`npx turbo run build --filter=@agentbill/server` (the root test command builds "
                "it first)"
            )
        self._node = node
        self._extra_arguments = list(extra_arguments)
        self._directory = tempfile.mkdtemp(prefix="agentbill-python-e2e-")
        self.database = os.path.join(self._directory, "ledger.db")
        self.port = unused_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_key = ""
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._log_path = ""

    def start(self, timeout: float = 30.0) -> None:
        """Starts the server and waits until it answers ``/healthz``."""
        self._log_path = os.path.join(self._directory, f"server-{time.time_ns()}.log")
        new_database = not os.path.exists(self.database)
        log = open(self._log_path, "wb")
        try:
            self._process = subprocess.Popen(
                [
                    self._node,
                    CLI,
                    "--port",
                    str(self.port),
                    "--host",
                    "127.0.0.1",
                    "--database",
                    self.database,
                    *self._extra_arguments,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"agentbill-server exited with {self._process.returncode}: {self.output()}"
                )
            match = _ADMIN_KEY.search(self.output())
            if match is not None:
                self.admin_key = match.group(1)
            # A new database prints its admin key once; a restarted one prints none.
            if (match is not None or not new_database) and self._healthy():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"agentbill-server did not start within {timeout} s: {self.output()}")

    def stop(self) -> None:
        """Stops the server (SIGTERM, then SIGKILL after 10 s)."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def output(self) -> str:
        """What the server printed since the last start."""
        try:
            with open(self._log_path, encoding="utf-8", errors="replace") as log:
                return log.read()
        except OSError:
            return ""

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def close(self) -> None:
        """Stops the server and removes its files."""
        self.stop()
        shutil.rmtree(self._directory, ignore_errors=True)
