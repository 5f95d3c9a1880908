"""The client against the real AgentBill server, started by these tests over real HTTP.

Each test uses its own customer ids (or registers its own project) on one shared server; the
outage tests stop and start their own server on the same SQLite file.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import unittest
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Optional, TypeVar
from unittest import mock

from agentbill import (
    AgentBillAPIError,
    AgentBillClient,
    AgentBillError,
    AgentBillWebhookVerificationError,
    AsyncAgentBillClient,
    BudgetExceededError,
    Run,
    WebhookDelivery,
    current_run,
    register,
    verify_webhook,
)

from .fake_server import FakeServer, Forward
from .server_process import ServerProcess
from .webhook_receiver import WebhookReceiver

server: ServerProcess


def setUpModule() -> None:
    global server
    server = ServerProcess()
    server.start()


def tearDownModule() -> None:
    server.close()


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def admin_client(**options: Any) -> AgentBillClient:
    return AgentBillClient(
        api_key=server.admin_key, base_url=server.url, exit_flush_timeout=None, **options
    )


SNIPPET = '''
from agentbill import AgentBillClient
client = AgentBillClient(api_key="agb_…")          # or AGENTBILL_API_KEY; base_url or AGENTBILL_BASE_URL
check = client.preflight(agent_id="researcher", customer_id="user_123", estimated_units=10, ceiling=20)
if not check.approved:
    raise Exception(f"Blocked: {check.reason}")
client.record(agent_id="researcher", customer_id="user_123", units=10, metadata={"model": "gpt-4o"})
'''


class SeedSnippet(unittest.TestCase):
    def test_the_readme_snippet_runs_unchanged_but_for_the_key(self) -> None:
        registration = register(project_name=unique("snippet"), base_url=server.url)
        code = SNIPPET.replace("agb_…", registration.key)
        with mock.patch.dict(os.environ, {"AGENTBILL_BASE_URL": server.url}):
            exec(compile(code, "<snippet>", "exec"), {})
        client = AgentBillClient(api_key=registration.key, base_url=server.url, exit_flush_timeout=None)
        balance = client.balance("user_123")
        self.assertEqual((balance.granted_units, balance.used_units, balance.remaining_units), (1000, 10, 990))
        events = client.admin.events.list(customer_id="user_123")
        self.assertEqual(len(events), 1)
        self.assertEqual(events.data[0].metadata, {"model": "gpt-4o"})
        self.assertEqual(events.data[0].agent_id, "researcher")


class RuntimeCalls(unittest.TestCase):
    def setUp(self) -> None:
        self.client = admin_client()
        self.customer = unique("customer")

    def test_preflight_approves_and_reports_what_will_be_left(self) -> None:
        result = self.client.preflight(agent_id="researcher", customer_id=self.customer, estimated_units=10, ceiling=20)
        self.assertTrue(result.approved)
        self.assertIsNone(result.reason)
        self.assertFalse(result.degraded)
        self.assertEqual(result.remaining_units, 990)
        self.assertEqual(result.estimated_units, 10)
        self.assertEqual(result.estimate_source, "request")
        self.assertTrue(result.preflight_id is not None and result.preflight_id.startswith("dec_"))
        self.assertIsNone(result.reservation_id, "nothing is held without reserve=True")

    def test_identifiers_count_characters_as_the_server_does(self) -> None:
        # 200 emoji are 200 characters (400 UTF-16 units): the client and the server both accept them.
        result = self.client.preflight(agent_id="\U0001f916" * 200, customer_id=self.customer)
        self.assertTrue(result.approved)

    def test_a_reserving_preflight_holds_until_a_record_settles_it(self) -> None:
        held = self.client.preflight(agent_id="a", customer_id=self.customer, estimated_units=10, reserve=True, ttl_seconds=60)
        self.assertTrue(held.reservation_id is not None and held.reservation_id.startswith("rsv_"))
        self.assertIsNotNone(held.expires_at)
        balance = self.client.balance(self.customer)
        self.assertEqual((balance.reserved_units, balance.remaining_units), (10, 990))
        reservation = self.client.get_reservation(held.reservation_id or "")
        self.assertEqual((reservation.status, reservation.units, reservation.customer_id), ("open", 10, self.customer))
        recorded = self.client.record(
            agent_id="a", customer_id=self.customer, units=7, reservation_id=held.reservation_id
        )
        self.assertEqual((recorded.recorded, recorded.duplicate, recorded.units), (True, False, 7))
        self.assertEqual(recorded.reservation_status, "settled")
        self.assertTrue(recorded.event_id is not None and recorded.event_id.startswith("evt_"))
        self.assertEqual(self.client.get_reservation(held.reservation_id or "").status, "settled")
        balance = self.client.balance(self.customer)
        self.assertEqual((balance.used_units, balance.reserved_units, balance.remaining_units), (7, 0, 993))

    def test_release_frees_a_hold_and_a_second_release_changes_nothing(self) -> None:
        held = self.client.preflight(agent_id="a", customer_id=self.customer, estimated_units=50, reserve=True)
        released = self.client.release(held.reservation_id or "")
        self.assertEqual(released.status, "released")
        self.assertIsNotNone(released.closed_at)
        again = self.client.release(held.reservation_id or "")
        self.assertEqual((again.status, again.closed_at), ("released", released.closed_at))
        self.assertEqual(self.client.balance(self.customer).reserved_units, 0)
        with self.assertRaises(AgentBillAPIError) as caught:
            self.client.release("rsv_does_not_exist")
        self.assertEqual((caught.exception.status, caught.exception.type), (404, "not_found"))

    def test_the_budget_blocks_a_run_with_reason_and_upgrade_url(self) -> None:
        registration = register(project_name=unique("blocked"), base_url=server.url)
        client = AgentBillClient(api_key=registration.key, base_url=server.url, exit_flush_timeout=None)
        client.admin.project.update(upgrade_url="https://example.com/upgrade?c={customer_id}")
        client.admin.customers.update("user 1", limit_units=5)
        result = client.preflight(agent_id="a", customer_id="user 1", estimated_units=10)
        self.assertFalse(result.approved)
        self.assertEqual(result.reason, "budget_exhausted")
        self.assertEqual(result.remaining_units, 5)
        self.assertEqual(result.upgrade_url, "https://example.com/upgrade?c=user%201")
        self.assertFalse(result.degraded)
        blocked = client.admin.decisions.list(approved=False)
        self.assertEqual([decision.id for decision in blocked], [result.preflight_id])
        self.assertEqual(blocked.data[0].reason, "budget_exhausted")

    def test_a_ceiling_blocks_an_estimate_above_it(self) -> None:
        result = self.client.preflight(agent_id="a", customer_id=self.customer, estimated_units=30, ceiling=20)
        self.assertEqual((result.approved, result.reason, result.ceiling), (False, "ceiling_exceeded", 20))

    def test_auto_estimates_from_history(self) -> None:
        agent = unique("agent")
        for units in (5, 6, 7):
            self.client.record(agent_id=agent, customer_id=self.customer, units=units)
        result = self.client.preflight(agent_id=agent, customer_id=self.customer, estimated_units="auto")
        self.assertTrue(result.approved)
        self.assertEqual(result.estimate_source, "history")
        self.assertIn(result.estimated_units, (6, 7))

    def test_zero_units_are_recorded_as_zero(self) -> None:
        recorded = self.client.record(agent_id="a", customer_id=self.customer, units=0)
        self.assertEqual(recorded.units, 0)
        self.assertEqual(self.client.balance(self.customer).used_units, 0)
        self.assertEqual(self.client.admin.events.list(customer_id=self.customer).data[0].units, 0)


class Idempotency(unittest.TestCase):
    def setUp(self) -> None:
        self.client = admin_client()
        self.customer = unique("customer")

    def test_the_same_record_key_counts_once(self) -> None:
        first = self.client.record(agent_id="a", customer_id=self.customer, units=10, idempotency_key="step-1")
        second = self.client.record(agent_id="a", customer_id=self.customer, units=10, idempotency_key="step-1")
        self.assertFalse(first.duplicate)
        self.assertTrue(second.duplicate)
        self.assertEqual(second.event_id, first.event_id)
        self.assertEqual(self.client.balance(self.customer).used_units, 10)
        with self.assertRaises(AgentBillAPIError) as caught:
            self.client.record(agent_id="a", customer_id=self.customer, units=11, idempotency_key="step-1")
        self.assertEqual((caught.exception.status, caught.exception.type), (422, "idempotency_conflict"))
        self.assertTrue((caught.exception.request_id or "").startswith("req_"))

    def test_the_same_preflight_key_holds_once(self) -> None:
        first = self.client.preflight(agent_id="a", customer_id=self.customer, estimated_units=10, reserve=True, idempotency_key="pf-1")
        second = self.client.preflight(agent_id="a", customer_id=self.customer, estimated_units=10, reserve=True, idempotency_key="pf-1")
        self.assertEqual(second.preflight_id, first.preflight_id)
        self.assertEqual(second.reservation_id, first.reservation_id)
        self.assertEqual(self.client.balance(self.customer).reserved_units, 10)

    def test_a_record_whose_answer_was_lost_is_retried_and_counted_once(self) -> None:
        # The proxy hands the first attempt to the real server, which stores the event, then drops
        # the connection instead of relaying the answer; the retry (same key) gets the stored event.
        with FakeServer([Forward(server.url, lose_answer=True), Forward(server.url)]) as proxy:
            client = AgentBillClient(api_key=server.admin_key, base_url=proxy.url, exit_flush_timeout=None)
            result = client.record(agent_id="a", customer_id=self.customer, units=25)
            self.assertEqual(len(proxy.requests), 2)
        self.assertTrue(result.recorded)
        self.assertTrue(result.duplicate, "the server answered the retry with the first event")
        balance = self.client.balance(self.customer)
        self.assertEqual(balance.used_units, 25)
        self.assertEqual(len(self.client.admin.events.list(customer_id=self.customer)), 1)

    def test_a_reserving_preflight_whose_answer_was_lost_holds_once(self) -> None:
        with FakeServer([Forward(server.url, lose_answer=True), Forward(server.url)]) as proxy:
            client = AgentBillClient(api_key=server.admin_key, base_url=proxy.url, exit_flush_timeout=None)
            result = client.preflight(agent_id="a", customer_id=self.customer, estimated_units=40, reserve=True)
        self.assertTrue(result.approved)
        self.assertEqual(self.client.balance(self.customer).reserved_units, 40)
        self.assertEqual(len(self.client.admin.decisions.list(customer_id=self.customer)), 1)


class Runs(unittest.TestCase):
    def setUp(self) -> None:
        self.client = admin_client()
        self.customer = unique("customer")

    def test_a_run_holds_its_estimate_and_records_what_was_reported(self) -> None:
        self.assertIsNone(current_run())
        with self.client.run(agent_id="researcher", customer_id=self.customer, ceiling=50, estimated_units=20) as run:
            self.assertIs(current_run(), run)
            self.assertEqual(self.client.balance(self.customer).reserved_units, 20)
            run.report(8, metadata={"model": "gpt-4o"})
            run.report(4, metadata={"step": 2})
        self.assertIsNone(current_run())
        self.assertEqual(run.reported_units, 12)
        self.assertEqual(self.client.get_reservation(run.preflight.reservation_id or "").status, "settled")
        balance = self.client.balance(self.customer)
        self.assertEqual((balance.used_units, balance.reserved_units), (12, 0))
        events = self.client.admin.events.list(run_id=run.run_id)
        self.assertEqual([(event.units, dict(event.metadata)) for event in events], [(12, {"model": "gpt-4o", "step": 2})])

    def test_an_exception_releases_the_hold_and_propagates(self) -> None:
        opened: List[Run] = []
        with self.assertRaises(ZeroDivisionError):
            with self.client.run(agent_id="a", customer_id=self.customer, estimated_units=30) as run:
                opened.append(run)
                raise ZeroDivisionError("the agent failed")
        self.assertEqual(self.client.get_reservation(opened[0].preflight.reservation_id or "").status, "released")
        balance = self.client.balance(self.customer)
        self.assertEqual((balance.used_units, balance.reserved_units), (0, 0))

    def test_usage_reported_before_an_exception_is_still_recorded(self) -> None:
        with self.assertRaises(RuntimeError):
            with self.client.run(agent_id="a", customer_id=self.customer, estimated_units=30) as run:
                run.report(9)
                raise RuntimeError("the model call failed after using tokens")
        self.assertEqual(self.client.balance(self.customer).used_units, 9)

    def test_a_blocked_run_raises_before_the_block_runs(self) -> None:
        self.client.admin.customers.update(self.customer, limit_units=3)
        ran: List[bool] = []
        with self.assertRaises(BudgetExceededError) as caught:
            with self.client.run(agent_id="a", customer_id=self.customer, estimated_units=10, run_id="run-blocked"):
                ran.append(True)
        self.assertEqual(ran, [])
        error = caught.exception
        self.assertEqual((error.reason, error.remaining_units, error.run_id), ("budget_exhausted", 3, "run-blocked"))
        self.assertEqual((error.customer_id, error.agent_id, error.estimated_units), (self.customer, "a", 10))
        self.assertIsInstance(error, AgentBillError)

    def test_a_run_ceiling_covers_every_preflight_under_its_id(self) -> None:
        with self.client.run(agent_id="a", customer_id=self.customer, ceiling=25) as run:
            first = self.client.preflight(agent_id="a", customer_id=self.customer, run_id=run.run_id, ceiling=25, estimated_units=20, reserve=True)
            self.assertTrue(first.approved)
            second = self.client.preflight(agent_id="a", customer_id=self.customer, run_id=run.run_id, ceiling=25, estimated_units=10)
            self.assertEqual((second.approved, second.reason), (False, "ceiling_exceeded"))
            self.client.release(first.reservation_id or "")
        self.assertIsNone(run.reported_units)
        self.assertEqual(len(self.client.admin.events.list(customer_id=self.customer)), 0, "nothing reported, nothing recorded")

    def test_the_run_is_visible_in_asyncio_tasks_it_starts_and_not_in_bare_threads(self) -> None:
        seen: Dict[str, Optional[str]] = {}

        async def in_task() -> Optional[str]:
            found = current_run()
            return None if found is None else found.run_id

        def in_thread() -> None:
            found = current_run()
            seen["thread"] = None if found is None else found.run_id

        with self.client.run(agent_id="a", customer_id=self.customer) as run:
            seen["task"] = asyncio.run(in_task())
            thread = threading.Thread(target=in_thread)
            thread.start()
            thread.join()
        self.assertEqual(seen, {"task": run.run_id, "thread": None})

    def test_meter_makes_every_call_one_run(self) -> None:
        @self.client.meter(agent_id="summarizer", customer_id=self.customer, units=lambda text: len(text))
        def summarize(document: str) -> str:
            """Summarizes."""
            active = current_run()
            assert active is not None and active.agent_id == "summarizer"
            return document[:5]

        self.assertEqual(summarize("abcdefghij"), "abcde")
        self.assertEqual(summarize("xyz"), "xyz")
        self.assertEqual(summarize.__name__, "summarize")
        events = self.client.admin.events.list(customer_id=self.customer)
        self.assertEqual(sorted(event.units for event in events), [3, 5])
        self.assertEqual(len({event.run_id for event in events}), 2)

    def test_meter_on_a_coroutine_function(self) -> None:
        @self.client.meter(agent_id="async-agent", customer_id=self.customer, units=4, estimated_units=10)
        async def answer(question: str) -> str:
            await asyncio.sleep(0)
            active = current_run()
            assert active is not None
            return question.upper()

        self.assertEqual(asyncio.run(answer("hi")), "HI")
        balance = self.client.balance(self.customer)
        self.assertEqual((balance.used_units, balance.reserved_units), (4, 0))


class AsyncClient(unittest.TestCase):
    def test_the_async_client_awaits_the_same_calls(self) -> None:
        customer = unique("customer")

        async def scenario() -> None:
            async with AsyncAgentBillClient(api_key=server.admin_key, base_url=server.url, exit_flush_timeout=None) as client:
                check = await client.preflight(agent_id="a", customer_id=customer, estimated_units=10)
                self.assertTrue(check.approved)
                results = await asyncio.gather(
                    *(client.record(agent_id="a", customer_id=customer, units=2) for _ in range(5))
                )
                self.assertEqual(len({result.event_id for result in results}), 5)
                async with client.run(agent_id="a", customer_id=customer, estimated_units=5) as run:
                    self.assertIs(current_run(), run)
                    run.report(3)
                balance = await client.balance(customer)
                self.assertEqual((balance.used_units, balance.reserved_units), (13, 0))
                page = await client.admin.events.list(customer_id=customer, limit=2)
                self.assertEqual((len(page), page.has_more), (2, True))

        asyncio.run(scenario())


def new_project() -> AgentBillClient:
    """A client on a project of its own (register is limited to 10 a minute per address)."""
    registration = register(project_name=unique("admin"), email="ops@example.com", base_url=server.url)
    return AgentBillClient(api_key=registration.key, base_url=server.url, exit_flush_timeout=None)


class Management(unittest.TestCase):
    """One project for the class; tests that need a project to themselves make their own."""

    shared: AgentBillClient

    @classmethod
    def setUpClass(cls) -> None:
        cls.shared = new_project()

    def setUp(self) -> None:
        self.client = self.shared

    def test_register_returns_a_project_and_a_working_admin_key(self) -> None:
        registration = register(project_name="  Registered  ", base_url=server.url)
        self.assertNotIn(registration.key, repr(registration))
        client = AgentBillClient(api_key=registration.key, base_url=server.url, exit_flush_timeout=None)
        project = client.admin.project.get()
        self.assertEqual(project.id, registration.project.id)
        self.assertTrue(project.id.startswith("prj_"))
        self.assertEqual((project.free_units, project.default_ttl_seconds, project.upgrade_url), (1000, 900, None))

    def test_project_settings(self) -> None:
        self.client = new_project()
        updated = self.client.admin.project.update(free_units=50, default_ttl_seconds=60, upgrade_url="https://example.com/buy")
        self.assertEqual((updated.free_units, updated.default_ttl_seconds, updated.upgrade_url), (50, 60, "https://example.com/buy"))
        self.assertEqual(self.client.balance("newcomer").granted_units, 50)
        cleared = self.client.admin.project.update(upgrade_url=None)
        self.assertIsNone(cleared.upgrade_url)
        self.assertEqual(cleared.free_units, 50, "fields not given are unchanged")

    def test_customers_list_get_and_update(self) -> None:
        self.client = new_project()
        for name in ("c1", "c2", "c3"):
            self.client.balance(name)
        first = self.client.admin.customers.list(limit=2)
        self.assertEqual(([customer.customer_id for customer in first], first.has_more), (["c1", "c2"], True))
        rest = self.client.admin.customers.list(limit=2, starting_after=first.data[-1].customer_id)
        self.assertEqual(([customer.customer_id for customer in rest], rest.has_more), (["c3"], False))
        limited = self.client.admin.customers.update("c1", limit_units=200, period="month", metadata={"plan": "pro"})
        self.assertEqual((limited.limit_units, limited.period, dict(limited.metadata)), (200, "month", {"plan": "pro"}))
        self.assertEqual(limited.balance.granted_units, 200)
        self.assertIsNotNone(limited.balance.period_start)
        reverted = self.client.admin.customers.update("c1", limit_units=None)
        self.assertIsNone(reverted.limit_units)
        self.assertEqual(reverted.period, "month", "fields not given are unchanged")
        unlimited = self.client.admin.customers.update("c2", unlimited=True)
        self.assertTrue(unlimited.unlimited)
        self.assertIsNone(unlimited.balance.remaining_units)
        check = self.client.preflight(agent_id="a", customer_id="c2", estimated_units=10**12)
        self.assertTrue(check.approved)
        self.assertIsNone(check.remaining_units)
        self.assertEqual(self.client.admin.customers.get("c3").balance.granted_units, 1000)

    def test_grants_top_up_once_per_key(self) -> None:
        first = self.client.admin.grants.create("buyer", units=500, reason="purchase pi_1", idempotency_key="pi_1")
        again = self.client.admin.grants.create("buyer", units=500, reason="purchase pi_1", idempotency_key="pi_1")
        self.assertEqual(again.id, first.id)
        self.assertTrue(first.id.startswith("gnt_"))
        self.assertEqual((first.units, first.reason), (500, "purchase pi_1"))
        self.assertEqual(self.client.balance("buyer").granted_units, 1500)

    def test_event_and_decision_logs_and_usage_sums(self) -> None:
        self.client.record(agent_id="writer", customer_id="u1", units=3)
        self.client.record(agent_id="writer", customer_id="u2", units=4)
        self.client.record(agent_id="reader", customer_id="u1", units=5)
        self.client.preflight(agent_id="writer", customer_id="u1", estimated_units=1)
        events = self.client.admin.events.list(agent_id="writer")
        self.assertEqual([event.units for event in events], [4, 3], "newest first")
        since = datetime.now(timezone.utc) - timedelta(hours=1)
        self.assertEqual(len(self.client.admin.events.list(since=since)), 3)
        self.assertEqual(len(self.client.admin.events.list(until=since)), 0)
        decisions = self.client.admin.decisions.list(customer_id="u1", approved=True)
        self.assertEqual([(decision.agent_id, decision.estimated_units) for decision in decisions], [("writer", 1)])
        by_agent = self.client.admin.usage(group_by="agent")
        self.assertEqual(by_agent.group_by, ("agent",))
        self.assertEqual(sorted((row.agent_id, row.units, row.events) for row in by_agent.data), [("reader", 5, 1), ("writer", 7, 2)])
        by_day_and_customer = self.client.admin.usage(group_by=["day", "customer"])
        self.assertEqual(by_day_and_customer.group_by, ("day", "customer"))
        today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        self.assertEqual(sorted((row.day, row.customer_id, row.units) for row in by_day_and_customer.data), [(today, "u1", 8), (today, "u2", 4)])

    def test_keys_create_list_scope_and_revoke(self) -> None:
        created = self.client.admin.keys.create(name="worker", scope="runtime")
        self.assertTrue(created.key.startswith("agb_"))
        self.assertNotIn(created.key, repr(created))
        self.assertEqual((created.prefix, created.last4), (created.key[:8], created.key[-4:]))
        listed = self.client.admin.keys.list()
        self.assertIn(created.id, [key.id for key in listed])
        runtime = AgentBillClient(api_key=created.key, base_url=server.url, exit_flush_timeout=None)
        self.assertTrue(runtime.preflight(agent_id="a").approved)
        with self.assertRaises(AgentBillAPIError) as caught:
            runtime.admin.customers.list()
        self.assertEqual((caught.exception.status, caught.exception.type), (403, "permission_denied"))
        revoked = self.client.admin.keys.revoke(created.id)
        self.assertIsNotNone(revoked.revoked_at)
        with self.assertRaises(AgentBillAPIError) as caught:
            runtime.preflight(agent_id="a")
        self.assertEqual((caught.exception.status, caught.exception.type), (401, "authentication_failed"))

    def test_a_wrong_key_is_an_api_error_not_a_degraded_answer(self) -> None:
        client = AgentBillClient(api_key="agb_wrong", base_url=server.url, exit_flush_timeout=None)
        with self.assertRaises(AgentBillAPIError) as caught:
            client.preflight(agent_id="a")
        self.assertEqual(caught.exception.status, 401)


class RunsDecisionCountsAndSearch(unittest.TestCase):
    """``admin.runs.get``, ``admin.decisions.summary``, customer search and usage filters.

    On the shared project: every id carries a fresh prefix, so the filters alone isolate a test.
    """

    def setUp(self) -> None:
        self.client = admin_client()
        self.prefix = unique("globex")

    def test_a_run_reports_its_ceiling_what_it_used_and_what_it_holds(self) -> None:
        with self.client.run(agent_id="summariser", customer_id=self.prefix, ceiling=30, estimated_units=10) as run:
            during = self.client.admin.runs.get(run.run_id)
            self.assertEqual(
                (during.run_id, during.ceiling, during.used_units, during.reserved_units, during.remaining_units),
                (run.run_id, 30, 0, 10, 20),
            )
            run.report(6)
        after = self.client.admin.runs.get(run.run_id)
        self.assertEqual((after.ceiling, after.used_units, after.reserved_units, after.remaining_units), (30, 6, 0, 24))
        self.assertEqual(after.created_at, during.created_at)
        self.assertRegex(after.created_at, r"^\d{4}-\d{2}-\d{2}T")

        uncapped = unique("run")
        self.client.record(agent_id="a", customer_id=self.prefix, units=4, run_id=uncapped)
        without_ceiling = self.client.admin.runs.get(uncapped)
        self.assertEqual((without_ceiling.ceiling, without_ceiling.used_units, without_ceiling.remaining_units), (None, 4, None))

        with self.assertRaises(AgentBillAPIError) as caught:
            self.client.admin.runs.get("run_never_seen_" + self.prefix)
        self.assertEqual((caught.exception.status, caught.exception.type), (404, "not_found"))

    def test_decision_counts_by_day_and_reason_for_one_customer(self) -> None:
        blocked_customer = f"{self.prefix}-west"
        self.client.admin.customers.update(blocked_customer, limit_units=0)
        self.client.preflight(agent_id="summariser", customer_id=blocked_customer, estimated_units=5)
        self.client.preflight(agent_id="summariser", customer_id=blocked_customer, estimated_units=7)
        self.client.preflight(agent_id="summariser", customer_id=blocked_customer, estimated_units=0)
        self.client.preflight(agent_id="other", customer_id=blocked_customer, estimated_units=3, ceiling=1)
        today = datetime.now(timezone.utc).strftime("%Y-%m-%d")

        blocked = self.client.admin.decisions.summary(group_by=["day", "reason"], approved=False, customer_id=blocked_customer)
        self.assertEqual(blocked.group_by, ("day", "reason"))
        self.assertEqual(
            sorted((row.day, row.reason, row.decisions, row.estimated_units) for row in blocked.data),
            [(today, "budget_exhausted", 2, 12), (today, "ceiling_exceeded", 1, 3)],
        )
        self.assertTrue(all(row.agent_id is None and row.customer_id is None for row in blocked.data))

        by_reason = self.client.admin.decisions.summary(group_by="reason", customer_id=blocked_customer, agent_id="summariser")
        self.assertEqual(
            sorted(((row.reason or ""), row.decisions, row.estimated_units) for row in by_reason.data),
            [("", 1, 0), ("budget_exhausted", 2, 12)],
            "the approved decision (0 units fit a 0 budget) counts under reason None",
        )
        by_day = self.client.admin.decisions.summary(customer_id=blocked_customer)
        self.assertEqual(by_day.group_by, ("day",))
        self.assertEqual([(row.day, row.decisions, row.estimated_units) for row in by_day.data], [(today, 4, 15)])
        tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
        self.assertEqual(self.client.admin.decisions.summary(customer_id=blocked_customer, since=tomorrow).data, ())

    def test_customer_search_and_usage_filtered_by_customer_and_agent(self) -> None:
        east, west = f"{self.prefix}-east", f"{self.prefix}_west"
        self.client.record(agent_id="summariser", customer_id=east, units=6)
        self.client.record(agent_id="writer", customer_id=east, units=2)
        self.client.record(agent_id="summariser", customer_id=west, units=9)
        self.client.balance(f"{self.prefix}x")

        found = self.client.admin.customers.list(search=self.prefix.upper())
        self.assertEqual([customer.customer_id for customer in found], sorted([east, west, f"{self.prefix}x"]))
        underscore = self.client.admin.customers.list(search=f"{self.prefix}_")
        self.assertEqual([customer.customer_id for customer in underscore], [west], "_ is a plain character")
        first = self.client.admin.customers.list(search=self.prefix, limit=1)
        self.assertEqual((len(first), first.has_more), (1, True))

        usage = self.client.admin.usage(group_by="agent", customer_id=east)
        self.assertEqual(
            sorted((row.agent_id, row.units, row.events) for row in usage.data), [("summariser", 6, 1), ("writer", 2, 1)]
        )
        by_customer = self.client.admin.usage(group_by="customer", agent_id="summariser", customer_id=west)
        self.assertEqual([(row.customer_id, row.units) for row in by_customer.data], [(west, 9)])

    def test_the_async_client_has_the_same_calls(self) -> None:
        customer = f"{self.prefix}-async"

        async def scenario() -> None:
            async with AsyncAgentBillClient(api_key=server.admin_key, base_url=server.url, exit_flush_timeout=None) as client:
                async with client.run(agent_id="a", customer_id=customer, ceiling=10) as run:
                    run.report(3)
                summary = await client.admin.runs.get(run.run_id)
                self.assertEqual((summary.used_units, summary.remaining_units), (3, 7))
                counts = await client.admin.decisions.summary(group_by=["agent", "customer"], customer_id=customer)
                self.assertEqual([(row.agent_id, row.customer_id, row.decisions) for row in counts.data], [("a", customer, 1)])
                found = await client.admin.customers.list(search=customer)
                self.assertEqual([item.customer_id for item in found], [customer])
                usage = await client.admin.usage(group_by="day", customer_id=customer, agent_id="a")
                self.assertEqual([(row.units, row.events) for row in usage.data], [(3, 1)])

        asyncio.run(scenario())


_Value = TypeVar("_Value")


def poll_until(fetch: Callable[[], _Value], done: Callable[[_Value], bool], timeout: float = 15.0) -> _Value:
    """Calls ``fetch`` until ``done`` holds for its answer; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not done within {timeout} s; last answer: {value!r}")
        time.sleep(0.05)


class Webhooks(unittest.TestCase):
    """``admin.webhooks`` against a server started with ``--allow-private-webhook-targets``.

    Deliveries go to a receiver on 127.0.0.1 started here, so that option is needed; the shared
    server runs without it and must refuse the same URL. Each test registers its own project, so
    no endpoint sees another test's events.
    """

    webhook_server: ServerProcess
    receiver: WebhookReceiver

    @classmethod
    def setUpClass(cls) -> None:
        cls.webhook_server = ServerProcess("--allow-private-webhook-targets")
        cls.webhook_server.start()
        cls.receiver = WebhookReceiver()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.receiver.close()
        cls.webhook_server.close()

    def setUp(self) -> None:
        registration = register(project_name=unique("webhooks"), base_url=self.webhook_server.url)
        self.project_id = registration.project.id
        self.api_key = registration.key
        self.client = AgentBillClient(api_key=registration.key, base_url=self.webhook_server.url, exit_flush_timeout=None)
        self.path = f"/hooks/{unique('endpoint')}"

    def delivery_settled(self, endpoint_id: str, attempts: int) -> WebhookDelivery:
        """The endpoint's one delivery once the server has logged ``attempts`` attempts of it."""
        page = poll_until(
            lambda: self.client.admin.webhooks.deliveries(endpoint_id),
            lambda page: len(page) == 1 and page.data[0].attempts == attempts and page.data[0].status != "pending",
        )
        return page.data[0]

    def test_a_grant_is_delivered_signed_with_the_secret_from_create_logged_and_resent(self) -> None:
        created = self.client.admin.webhooks.create(
            url=self.receiver.url + self.path, events=["grant.created"], description="billing service"
        )
        self.assertTrue(created.id.startswith("whe_"))
        self.assertTrue(created.secret.startswith("whsec_"))
        self.assertNotIn(created.secret, repr(created), "the secret stays out of reprs")
        self.assertEqual(
            (created.url, created.events, created.thresholds, created.description, created.deleted_at),
            (self.receiver.url + self.path, ("grant.created",), (80, 100), "billing service", None),
        )

        grant = self.client.admin.grants.create("acme", units=250, reason="purchase pi_9", idempotency_key="pi_9")
        [received] = self.receiver.wait_for(1, path=self.path)
        self.assertEqual(received.header("Content-Type"), "application/json")
        event = verify_webhook(received.body, received.header("AgentBill-Signature"), created.secret)
        self.assertEqual((event["type"], event["project_id"]), ("grant.created", self.project_id))
        self.assertTrue(event["id"].startswith("whevt_"))
        self.assertEqual(received.header("AgentBill-Event-Id"), event["id"])
        self.assertEqual(
            {name: event["data"][name] for name in ("id", "customer_id", "units", "reason")},
            {"id": grant.id, "customer_id": "acme", "units": 250, "reason": "purchase pi_9"},
        )
        with self.assertRaises(AgentBillWebhookVerificationError):
            verify_webhook(received.body.replace(b"250", b"999"), received.header("AgentBill-Signature"), created.secret)
        with self.assertRaises(AgentBillWebhookVerificationError):
            verify_webhook(received.body, received.header("AgentBill-Signature"), created.secret + "x")

        delivery = self.delivery_settled(created.id, attempts=1)
        self.assertEqual((delivery.endpoint_id, delivery.status, delivery.last_response_status), (created.id, "succeeded", 204))
        self.assertTrue(delivery.id.startswith("whdel_"))
        self.assertIsNotNone(delivery.completed_at)
        self.assertIsNone(delivery.next_attempt_at)
        self.assertEqual(dict(delivery.event), json.loads(received.body), "the log holds the event as sent")
        [attempt] = delivery.attempt_log
        self.assertEqual((attempt.attempt, attempt.response_status, attempt.error, attempt.succeeded), (1, 204, None, True))
        self.assertGreaterEqual(attempt.duration_ms, 0)
        self.assertEqual([item.id for item in self.client.admin.webhooks.deliveries(created.id, status="succeeded")], [delivery.id])
        self.assertEqual(len(self.client.admin.webhooks.deliveries(created.id, status="failed")), 0)

        resent = self.client.admin.webhooks.resend(created.id, delivery.id)
        self.assertEqual((resent.id, resent.status, resent.max_attempts), (delivery.id, "pending", 2))
        first, again = self.receiver.wait_for(2, path=self.path)
        self.assertEqual(again.body, first.body, "a resend is the same event, byte for byte")
        self.assertEqual(verify_webhook(again.body, again.header("AgentBill-Signature"), created.secret)["id"], event["id"])
        after = self.delivery_settled(created.id, attempts=2)
        self.assertEqual((after.status, [item.attempt for item in after.attempt_log]), ("succeeded", [1, 2]))

    def test_list_get_delete_and_the_delivery_log_in_pages(self) -> None:
        everything = self.client.admin.webhooks.create(url=self.receiver.url + self.path, events=["*"], thresholds=[100, 50])
        self.assertEqual((everything.events, everything.thresholds, everything.description), (("*",), (50, 100), None))
        other = self.client.admin.webhooks.create(url="http://127.0.0.1:9/other", events=["preflight.blocked", "customer.overage"])
        listed = self.client.admin.webhooks.list()
        self.assertEqual(([item.id for item in listed], listed.has_more), ([everything.id, other.id], False), "oldest first")
        self.assertFalse(any(hasattr(item, "secret") for item in listed), "never a secret when listed")
        self.assertEqual(self.client.admin.webhooks.get(other.id).events, ("preflight.blocked", "customer.overage"))

        deleted = self.client.admin.webhooks.delete(other.id)
        self.assertIsNotNone(deleted.deleted_at)
        self.assertEqual([item.id for item in self.client.admin.webhooks.list()], [everything.id])
        self.assertEqual(self.client.admin.webhooks.get(other.id).deleted_at, deleted.deleted_at)
        self.assertEqual(self.client.admin.webhooks.delete(other.id).deleted_at, deleted.deleted_at, "deleting twice changes nothing")

        grants = [self.client.admin.grants.create("globex", units=units) for units in (1, 2, 3)]
        self.receiver.wait_for(3, path=self.path)
        first = self.client.admin.webhooks.deliveries(everything.id, limit=2)
        self.assertEqual((len(first), first.has_more), (2, True))
        rest = self.client.admin.webhooks.deliveries(everything.id, limit=2, starting_after=first.data[-1].id)
        self.assertEqual((len(rest), rest.has_more), (1, False))
        self.assertEqual(
            [item.event["data"]["id"] for item in (*first, *rest)], [grant.id for grant in reversed(grants)], "newest first"
        )

        for call in (
            lambda: self.client.admin.webhooks.get("whe_unknown"),
            lambda: self.client.admin.webhooks.deliveries("whe_unknown"),
            lambda: self.client.admin.webhooks.resend(everything.id, "whdel_unknown"),
            lambda: self.client.admin.webhooks.resend(other.id, first.data[0].id),
        ):
            with self.assertRaises(AgentBillAPIError) as caught:
                call()
            self.assertEqual((caught.exception.status, caught.exception.type), (404, "not_found"))

    def test_the_async_client_has_the_same_calls(self) -> None:
        async def scenario() -> None:
            async with AsyncAgentBillClient(api_key=self.api_key, base_url=self.webhook_server.url, exit_flush_timeout=None) as client:
                created = await client.admin.webhooks.create(url=self.receiver.url + self.path, events=["grant.created"], thresholds=[90])
                self.assertEqual([item.id for item in await client.admin.webhooks.list()], [created.id])
                self.assertEqual((await client.admin.webhooks.get(created.id)).thresholds, (90,))
                grant = await client.admin.grants.create("initech", units=7)
                [received] = await asyncio.to_thread(self.receiver.wait_for, 1, 15.0, self.path)
                event = verify_webhook(received.body, received.header("AgentBill-Signature"), created.secret)
                self.assertEqual(event["data"]["id"], grant.id)
                page = await client.admin.webhooks.deliveries(created.id, limit=1)
                resent = await client.admin.webhooks.resend(created.id, page.data[0].id)
                self.assertEqual(resent.event["id"], event["id"])
                await asyncio.to_thread(self.receiver.wait_for, 2, 15.0, self.path)
                self.assertIsNotNone((await client.admin.webhooks.delete(created.id)).deleted_at)

        asyncio.run(scenario())

    def test_a_server_without_the_option_refuses_a_loopback_url_naming_it(self) -> None:
        client = admin_client()  # the shared server, started without the option
        url = self.receiver.url + self.path
        with self.assertRaises(AgentBillAPIError) as caught:
            client.admin.webhooks.create(url=url, events=["*"])
        error = caught.exception
        self.assertEqual((error.status, error.type, error.param), (400, "invalid_request", "url"))
        self.assertIn("loopback", str(error))
        self.assertNotIn(url, [item.url for item in client.admin.webhooks.list()], "nothing was created")


class Outage(unittest.TestCase):
    """The real server stopped and started again on the same file."""

    outage_server: ServerProcess

    @classmethod
    def setUpClass(cls) -> None:
        cls.outage_server = ServerProcess()
        cls.outage_server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.outage_server.close()

    def test_fail_modes_and_a_queued_record_delivered_once_after_restart(self) -> None:
        box = self.outage_server
        errors: List[AgentBillError] = []
        closed = AgentBillClient(api_key=box.admin_key, base_url=box.url, max_retries=1, on_error=errors.append, exit_flush_timeout=None)
        open_client = AgentBillClient(api_key=box.admin_key, base_url=box.url, max_retries=0, fail_mode="open", exit_flush_timeout=None)
        self.assertTrue(closed.preflight(agent_id="a", customer_id="outage").approved)
        box.stop()
        try:
            blocked = closed.preflight(agent_id="a", customer_id="outage", estimated_units=10)
            self.assertEqual((blocked.approved, blocked.reason, blocked.degraded), (False, "unavailable", True))
            allowed = open_client.preflight(agent_id="a", customer_id="outage", estimated_units=10)
            self.assertEqual((allowed.approved, allowed.reason, allowed.degraded), (True, None, True))
            queued = closed.record(agent_id="a", customer_id="outage", units=10, idempotency_key="outage-1")
            self.assertTrue(queued.queued)
            self.assertEqual(closed.pending_records, 1)
            with self.assertRaises(BudgetExceededError) as caught:
                with closed.run(agent_id="a", customer_id="outage"):
                    pass
            self.assertEqual(caught.exception.reason, "unavailable")
        finally:
            box.start()
        flushed = closed.flush(timeout=15)
        # The background re-send (first after 1 s) may have delivered it while the server
        # restarted; either way it is delivered now, and below, exactly once.
        self.assertEqual(flushed.pending, 0)
        self.assertIn(flushed.delivered, (0, 1))
        self.assertEqual(closed.pending_records, 0)
        again = closed.record(agent_id="a", customer_id="outage", units=10, idempotency_key="outage-1")
        self.assertTrue(again.duplicate, "the queued record kept its key")
        balance = closed.balance("outage")
        self.assertEqual(balance.used_units, 10)
        events = closed.admin.events.list(customer_id="outage")
        self.assertEqual([event.idempotency_key for event in events], ["outage-1"])
        closed.close()


if __name__ == "__main__":
    unittest.main()
