"""What a real server cannot be made to do on demand: 503s, Retry-After, hangs, resets.

Played by a scripted stdlib HTTP server (``fake_server``), the Python counterpart of msw.
Outages of the real server (stopped, then started again) are in ``test_real_server``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import unittest
from typing import List

from agentbill import (
    AgentBillAPIError,
    AgentBillClient,
    AgentBillConnectionError,
    AgentBillError,
    AgentBillTimeoutError,
)

from .fake_server import APPROVED, RECORDED, FakeServer, Hang, Reply, Reset, unused_port

SOON = {"retry-after-ms": "10"}
UNAVAILABLE = {"error": {"type": "unavailable", "message": "try again", "param": None}}


def ignore(error: AgentBillError) -> None:
    pass


def client_for(server: FakeServer, **options: object) -> AgentBillClient:
    return AgentBillClient(
        api_key="agb_test", base_url=server.url, exit_flush_timeout=None, **options  # type: ignore[arg-type]
    )


class Retries(unittest.TestCase):
    def test_a_503_then_a_success_is_retried_with_the_same_idempotency_key(self) -> None:
        with FakeServer([Reply(503, UNAVAILABLE, SOON), Reply(200, APPROVED)]) as server:
            result = client_for(server).preflight(agent_id="a", estimated_units=10)
            self.assertTrue(result.approved)
            self.assertFalse(result.degraded)
            self.assertEqual(len(server.requests), 2)
            first, second = server.requests
            self.assertEqual(first.raw_body, second.raw_body, "a retry sends exactly the same body")
            self.assertEqual(first.json["idempotency_key"], result.idempotency_key)
            self.assertEqual(second.json["idempotency_key"], result.idempotency_key)

    def test_each_logical_call_gets_its_own_key_and_a_given_key_is_kept(self) -> None:
        with FakeServer([Reply(201, RECORDED)]) as server:
            client = client_for(server)
            first = client.record(agent_id="a", units=10)
            second = client.record(agent_id="a", units=10)
            mine = client.record(agent_id="a", units=10, idempotency_key="step-42")
            keys = [request.json["idempotency_key"] for request in server.requests]
            self.assertEqual(keys, [first.idempotency_key, second.idempotency_key, "step-42"])
            self.assertEqual(mine.idempotency_key, "step-42")
            self.assertNotEqual(first.idempotency_key, second.idempotency_key)

    def test_408_409_429_and_5xx_are_retried_other_4xx_are_not(self) -> None:
        for status in (408, 409, 429, 500, 502):
            with self.subTest(status=status), FakeServer(
                [Reply(status, UNAVAILABLE, SOON), Reply(201, RECORDED)]
            ) as server:
                self.assertTrue(client_for(server).record(agent_id="a").recorded)
                self.assertEqual(len(server.requests), 2)
        for status in (400, 401, 403, 404, 422):
            with self.subTest(status=status), FakeServer(
                [Reply(status, {"error": {"type": "x", "message": "no", "param": "units"}})]
            ) as server:
                with self.assertRaises(AgentBillAPIError) as caught:
                    client_for(server).record(agent_id="a")
                self.assertEqual(caught.exception.status, status)
                self.assertEqual(len(server.requests), 1)

    def test_retry_after_milliseconds_is_waited_for(self) -> None:
        with FakeServer(
            [Reply(429, UNAVAILABLE, {"retry-after-ms": "600"}), Reply(200, APPROVED)]
        ) as server:
            client_for(server).preflight(agent_id="a")
            first, second = server.requests
            # Backoff alone would have waited at most 0.5 s.
            self.assertGreaterEqual(second.at - first.at, 0.59)

    def test_retry_after_seconds_is_waited_for(self) -> None:
        with FakeServer([Reply(503, UNAVAILABLE, {"Retry-After": "1"}), Reply(200, APPROVED)]) as server:
            client_for(server).preflight(agent_id="a")
            first, second = server.requests
            self.assertGreaterEqual(second.at - first.at, 0.99)

    def test_max_retries_bounds_the_attempts(self) -> None:
        with FakeServer([Reply(503, UNAVAILABLE, SOON)]) as server:
            client = client_for(server, max_retries=3)
            with self.assertRaises(AgentBillAPIError) as caught:
                client.admin.project.get()
            self.assertEqual(caught.exception.status, 503)
            self.assertEqual(len(server.requests), 4)
            server.requests.clear()
            with self.assertRaises(AgentBillAPIError):
                client.with_options(max_retries=0).admin.project.get()
            self.assertEqual(len(server.requests), 1)

    def test_an_api_error_carries_status_type_param_and_request_id(self) -> None:
        body = {"error": {"type": "invalid_request", "message": "must be an integer", "param": "units"}}
        with FakeServer([Reply(400, body, {"x-request-id": "req_123"})]) as server:
            with self.assertRaises(AgentBillAPIError) as caught:
                client_for(server).record(agent_id="a")
        error = caught.exception
        self.assertEqual(
            (error.status, error.type, error.param, error.request_id),
            (400, "invalid_request", "units", "req_123"),
        )
        self.assertEqual(str(error), "400 invalid_request: must be an integer (param: units)")

    def test_a_redirect_is_not_followed(self) -> None:
        with FakeServer([Reply(302, {}, {"Location": "http://example.com/steal"})]) as server:
            with self.assertRaises(AgentBillAPIError) as caught:
                client_for(server).balance("c")
            self.assertEqual(caught.exception.status, 302)
            self.assertEqual(len(server.requests), 1)

    def test_a_server_that_is_not_agentbill_is_named(self) -> None:
        with FakeServer([Reply(200, raw="<html>hello</html>")]) as server:
            with self.assertRaises(AgentBillError) as caught:
                client_for(server).balance("c")
            self.assertIn("is base_url an AgentBill server", str(caught.exception))

    def test_requests_carry_the_key_the_user_agent_and_json(self) -> None:
        with FakeServer([Reply(200, APPROVED)]) as server:
            client_for(server, headers={"x-team": "search"}).preflight(agent_id="a")
            headers = server.requests[0].headers
            self.assertEqual(headers["authorization"], "Bearer agb_test")
            self.assertEqual(headers["content-type"], "application/json")
            self.assertTrue(headers["user-agent"].startswith("agentbill-python/"))
            self.assertEqual(headers["x-team"], "search")


class Timeouts(unittest.TestCase):
    def test_a_hanging_server_times_out_each_attempt(self) -> None:
        with FakeServer([Hang()]) as server:
            client = client_for(server, timeout=0.3, max_retries=1)
            with self.assertRaises(AgentBillTimeoutError) as caught:
                client.balance("c")
            self.assertIsInstance(caught.exception, AgentBillConnectionError)
            self.assertEqual(caught.exception.timeout, 0.3)
            self.assertEqual(len(server.requests), 2)

    def test_a_timed_out_preflight_follows_the_fail_mode(self) -> None:
        with FakeServer([Hang()]) as server:
            result = client_for(server, timeout=0.2, max_retries=0).preflight(agent_id="a")
            self.assertFalse(result.approved)
            self.assertEqual(result.reason, "unavailable")
            self.assertTrue(result.degraded)
            self.assertIsInstance(result.error, AgentBillTimeoutError)


class FailModes(unittest.TestCase):
    def test_closed_blocks_with_reason_unavailable(self) -> None:
        with FakeServer([Reset()]) as server:
            result = client_for(server, max_retries=1).preflight(
                agent_id="a", estimated_units=10, ceiling=20, run_id="r1"
            )
            self.assertEqual(len(server.requests), 2, "a reset is retried")
        self.assertFalse(result.approved)
        self.assertEqual(result.reason, "unavailable")
        self.assertTrue(result.degraded)
        self.assertIsNone(result.preflight_id)
        self.assertEqual((result.estimated_units, result.ceiling, result.run_id), (10, 20, "r1"))
        self.assertIsInstance(result.error, AgentBillConnectionError)

    def test_open_lets_the_run_go_on(self) -> None:
        client = AgentBillClient(
            api_key="agb_test",
            base_url=f"http://127.0.0.1:{unused_port()}",
            fail_mode="open",
            max_retries=0,
            exit_flush_timeout=None,
        )
        result = client.preflight(agent_id="a", estimated_units="auto")
        self.assertTrue(result.approved)
        self.assertIsNone(result.reason)
        self.assertTrue(result.degraded)
        self.assertEqual((result.estimated_units, result.estimate_source), (1, "default"))

    def test_persistent_5xx_counts_as_unreachable_but_a_4xx_raises(self) -> None:
        with FakeServer([Reply(500, UNAVAILABLE, SOON)]) as server:
            result = client_for(server, max_retries=2).preflight(agent_id="a")
            self.assertEqual((result.approved, result.reason, len(server.requests)), (False, "unavailable", 3))
        with FakeServer([Reply(401, {"error": {"type": "authentication_failed", "message": "bad key"}})]) as server:
            with self.assertRaises(AgentBillAPIError):
                client_for(server, fail_mode="open").preflight(agent_id="a")


class RecordQueue(unittest.TestCase):
    def test_an_undeliverable_record_is_queued_and_resent_with_its_key(self) -> None:
        with FakeServer([Reset(), Reset(), Reply(201, RECORDED)]) as server:
            client = client_for(server, max_retries=1)
            result = client.record(agent_id="a", units=10, metadata={"model": "gpt-4o"})
            self.assertTrue(result.queued)
            self.assertFalse(result.recorded)
            self.assertIsNone(result.event_id)
            self.assertEqual(client.pending_records, 1)
            # Stop the background re-sends (close with no time to flush), so that the flush
            # below is the only sender; queued records stay, and flush still delivers them.
            stopped = client.close(timeout=0)
            self.assertEqual((stopped.delivered, stopped.pending), (0, 1))
            flushed = client.flush(timeout=5)
            self.assertEqual((flushed.delivered, flushed.pending), (1, 0))
            self.assertEqual(client.pending_records, 0)
            bodies = [request.raw_body for request in server.requests]
            self.assertEqual(len(bodies), 3)
            self.assertEqual(len(set(bodies)), 1, "every attempt and re-send is the same event")
            client.close()

    def test_while_records_wait_a_new_record_is_tried_once_then_queued(self) -> None:
        with FakeServer([Reset()]) as server:
            client = client_for(server, max_retries=2)
            client.record(agent_id="a")
            client.close(timeout=0)  # no background re-send may add to the count below
            server.requests.clear()
            second = client.record(agent_id="a")
            self.assertTrue(second.queued)
            self.assertEqual(len(server.requests), 1)
            self.assertEqual(client.pending_records, 2)
            client.close(timeout=0)

    def test_past_max_queued_records_record_raises(self) -> None:
        with FakeServer([Reset()]) as server:
            client = client_for(server, max_retries=0, max_queued_records=1)
            client.record(agent_id="a")
            with self.assertRaises(AgentBillConnectionError) as caught:
                client.record(agent_id="a")
            self.assertIn("max_queued_records", str(caught.exception))
            self.assertEqual(client.pending_records, 1)
            client.close(timeout=0)

    def test_the_queue_redelivers_in_the_background(self) -> None:
        errors: List[AgentBillError] = []
        with FakeServer([Reset(), Reply(201, RECORDED)]) as server:
            client = client_for(server, max_retries=0, on_error=errors.append)
            client.record(agent_id="a")
            deadline = time.monotonic() + 10
            while client.pending_records > 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(client.pending_records, 0, "the background timer re-sent the record")
            self.assertEqual(len(server.requests), 2)
            self.assertEqual(server.requests[0].raw_body, server.requests[1].raw_body)
            client.close()

    def test_a_record_the_server_refuses_outright_is_dropped_and_reported(self) -> None:
        errors: List[AgentBillError] = []
        refusal = {"error": {"type": "idempotency_conflict", "message": "other values", "param": "idempotency_key"}}
        with FakeServer([Reset(), Reply(422, refusal)]) as server:
            client = client_for(server, max_retries=0, on_error=errors.append)
            client.record(agent_id="a")
            result = client.flush(timeout=5)
            self.assertEqual((result.delivered, result.pending), (0, 0))
            self.assertTrue(
                any(isinstance(error, AgentBillAPIError) and error.status == 422 for error in errors)
            )
            client.close()

    def test_flush_stops_at_its_timeout(self) -> None:
        with FakeServer([Reset()]) as server:
            client = client_for(server, max_retries=0, on_error=ignore)
            client.record(agent_id="a")
            result = client.flush(timeout=0.5)
            self.assertEqual((result.delivered, result.pending), (0, 1))
            client.close(timeout=0)


_EXIT_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from agentbill import AgentBillClient
    client = AgentBillClient(api_key="agb_test", base_url=sys.argv[2], max_retries=0,
                             exit_flush_timeout=float(sys.argv[3]))
    result = client.record(agent_id="exit-test", units=3)
    print("queued" if result.queued else "recorded", flush=True)
    if sys.argv[4] == "drop":
        # Nobody holds the client any more; its queue still has a record to deliver.
        import gc
        del client
        gc.collect()
    # No flush: the process ends here and the exit hook has to deliver the record.
    """
)


class ExitFlush(unittest.TestCase):
    source = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")

    def run_script(
        self, url: str, exit_flush_timeout: float, keep: str = "keep"
    ) -> "subprocess.CompletedProcess[str]":
        return subprocess.run(
            [sys.executable, "-c", _EXIT_SCRIPT, self.source, url, str(exit_flush_timeout), keep],
            capture_output=True,
            text=True,
            timeout=60,
        )

    def test_records_still_queued_at_exit_are_delivered_by_the_exit_hook(self) -> None:
        with FakeServer([Reset(), Reply(201, RECORDED)]) as server:
            completed = self.run_script(server.url, 5)
            self.assertEqual(completed.returncode, 0, completed.stderr)
            self.assertEqual(completed.stdout.strip(), "queued")
            self.assertEqual(len(server.requests), 2)
            self.assertEqual(server.requests[0].raw_body, server.requests[1].raw_body)
            self.assertNotIn("lost", completed.stderr)

    def test_the_exit_hook_delivers_for_a_client_nobody_holds_any_more(self) -> None:
        with FakeServer([Reset(), Reply(201, RECORDED)]) as server:
            completed = self.run_script(server.url, 5, "drop")
            self.assertEqual(completed.returncode, 0, completed.stderr)
            self.assertEqual(len(server.requests), 2)
            self.assertEqual(server.requests[0].raw_body, server.requests[1].raw_body)

    def test_records_the_exit_hook_cannot_deliver_are_reported_lost(self) -> None:
        with FakeServer([Reset()]) as server:
            started = time.monotonic()
            completed = self.run_script(server.url, 1)
            self.assertLess(time.monotonic() - started, 30, "the exit flush is bounded")
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertIn("1 usage records could not be delivered", completed.stderr)


if __name__ == "__main__":
    unittest.main()
