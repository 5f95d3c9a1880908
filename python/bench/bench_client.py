"""What the client adds on top of one HTTP request: ``python3 python/bench/bench_client.py``.

Starts the real server on loopback, then times, in the same process and run, alternating
rounds of:

- baseline: a bare ``urllib`` POST of the same JSON body with a fresh idempotency key (what any
  hand-written integration would do);
- client: ``AgentBillClient.preflight`` / ``record`` (argument checks, key, retries wrapper,
  result mapping).

Prints the median microseconds per call of each and their ratio. Bounded: a fixed number of
calls, loopback only.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import urllib.request
import uuid
from typing import Callable, Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))
sys.path.insert(0, os.path.dirname(HERE))

from agentbill import AgentBillClient  # noqa: E402
from tests.server_process import ServerProcess  # noqa: E402

ROUNDS = 20
CALLS_PER_ROUND = 50


def bare_post(url: str, key: str, path: str, body: Dict[str, object]) -> Callable[[], None]:
    def call() -> None:
        payload = dict(body, idempotency_key=str(uuid.uuid4()))
        request = urllib.request.Request(
            url + path,
            data=json.dumps(payload).encode("utf-8"),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            json.loads(response.read())

    return call


def per_call(call: Callable[[], None]) -> Tuple[float, float]:
    """Wall-clock and this process's CPU time per call, in microseconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(CALLS_PER_ROUND):
        call()
    return (
        (time.perf_counter() - wall) / CALLS_PER_ROUND * 1e6,
        (time.process_time() - cpu) / CALLS_PER_ROUND * 1e6,
    )


def compare(name: str, baseline: Callable[[], None], client: Callable[[], None]) -> None:
    for _ in range(20):
        baseline()
        client()
    baseline_rounds: List[Tuple[float, float]] = []
    client_rounds: List[Tuple[float, float]] = []
    for _ in range(ROUNDS):
        baseline_rounds.append(per_call(baseline))
        client_rounds.append(per_call(client))
    for index, what in ((0, "wall"), (1, "client CPU")):
        base = statistics.median(times[index] for times in baseline_rounds)
        mine = statistics.median(times[index] for times in client_rounds)
        print(
            f"{name:<10} {what:<11} baseline {base:7.0f} µs/call   client {mine:7.0f} µs/call"
            f"   ratio {mine / base:.2f}"
        )


def main() -> None:
    # NORMAL: no fsync per commit, so the server's disk does not drown the client's own cost.
    server = ServerProcess("--synchronous", "NORMAL", "--log-level", "warn")
    server.start()
    try:
        client = AgentBillClient(api_key=server.admin_key, base_url=server.url, exit_flush_timeout=None)
        # A customer with room for every call of the run.
        client.admin.customers.update("bench", unlimited=True)
        preflight_body: Dict[str, object] = {"agent_id": "bench", "customer_id": "bench", "estimated_units": 10}
        record_body: Dict[str, object] = {"agent_id": "bench", "customer_id": "bench", "units": 10, "metadata": {"model": "gpt-4o"}}
        print(f"python {sys.version.split()[0]}, {ROUNDS} rounds x {CALLS_PER_ROUND} calls, medians of rounds")
        compare(
            "preflight",
            bare_post(server.url, server.admin_key, "/v1/preflight", preflight_body),
            lambda: client.preflight(agent_id="bench", customer_id="bench", estimated_units=10) and None,
        )
        compare(
            "record",
            bare_post(server.url, server.admin_key, "/v1/record", record_body),
            lambda: client.record(agent_id="bench", customer_id="bench", units=10, metadata={"model": "gpt-4o"}) and None,
        )
    finally:
        server.close()


if __name__ == "__main__":
    main()
