"""Bad arguments are refused before any request: each test asserts the server saw nothing."""

from __future__ import annotations

import asyncio
import math
import os
import unittest
from datetime import datetime, timezone
from typing import Any, Callable, Coroutine, Dict, List
from unittest import mock

from agentbill import (
    AgentBillClient,
    AgentBillConfigurationError,
    AgentBillError,
    AgentBillValidationError,
    AsyncAgentBillClient,
    register,
)

from .fake_server import APPROVED, FakeServer, Reply


class RefusedBeforeSending(unittest.TestCase):
    server: FakeServer
    client: AgentBillClient

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = FakeServer([Reply(200, APPROVED)])
        cls.client = AgentBillClient(api_key="agb_test", base_url=cls.server.url, max_retries=0)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()
        cls.server.close()

    def setUp(self) -> None:
        self.server.requests.clear()

    def tearDown(self) -> None:
        self.assertEqual(self.server.requests, [], "a bad argument must not send a request")

    def assertRefused(self, param: str, call: Callable[[], Any]) -> AgentBillValidationError:
        with self.assertRaises(AgentBillValidationError) as caught:
            call()
        self.assertEqual(caught.exception.param, param)
        self.assertIn(param, str(caught.exception))
        self.assertIsInstance(caught.exception, ValueError)
        self.assertIsInstance(caught.exception, AgentBillError)
        return caught.exception

    def test_units_must_be_whole_non_negative_integers_up_to_10_to_the_15(self) -> None:
        for bad in (1.5, 10.0, -1, 10**15 + 1, "10", math.nan, math.inf, [10], {"units": 10}):
            with self.subTest(units=bad):
                wrong: Any = bad
                self.assertRefused("units", lambda: self.client.record(agent_id="a", units=wrong))
        for bad in (2.5, -3, 10**16, "ten"):
            with self.subTest(estimated_units=bad):
                self.assertRefused(
                    "estimated_units",
                    lambda: self.client.preflight(agent_id="a", estimated_units=bad),  # type: ignore[arg-type]
                )
        self.assertRefused("ceiling", lambda: self.client.preflight(agent_id="a", ceiling=-1))

    def test_a_bool_is_not_a_number_of_units_although_python_counts_it_as_an_int(self) -> None:
        error = self.assertRefused("units", lambda: self.client.record(agent_id="a", units=True))
        self.assertIn("True", str(error))
        self.assertRefused(
            "estimated_units", lambda: self.client.preflight(agent_id="a", estimated_units=False)
        )
        self.assertRefused("ceiling", lambda: self.client.preflight(agent_id="a", ceiling=True))
        self.assertRefused(
            "ttl_seconds", lambda: self.client.preflight(agent_id="a", ttl_seconds=True)
        )

    def test_a_float_gets_a_hint_to_round(self) -> None:
        error = self.assertRefused("units", lambda: self.client.record(agent_id="a", units=2.0))  # type: ignore[arg-type]
        self.assertIn("round", str(error))

    def test_identifiers_are_1_to_200_printable_characters(self) -> None:
        cases = {
            "empty": "",
            "too long": "x" * 201,
            "newline": "researcher\n",
            "NUL": "a\x00b",
            "DEL": "a\x7f",
            "C1 control": "a\x85b",
            "lone surrogate": "a\ud800",
            "201 characters outside the BMP": "\U0001f600" * 201,
        }
        for name, bad in cases.items():
            with self.subTest(name):
                self.assertRefused("agent_id", lambda: self.client.preflight(agent_id=bad))
        self.assertRefused("agent_id", lambda: self.client.preflight(agent_id=5))  # type: ignore[arg-type]
        self.assertRefused(
            "customer_id", lambda: self.client.record(agent_id="a", customer_id="")
        )
        self.assertRefused("run_id", lambda: self.client.preflight(agent_id="a", run_id="\t"))
        self.assertRefused(
            "idempotency_key", lambda: self.client.record(agent_id="a", idempotency_key="")
        )
        self.assertRefused(
            "reservation_id", lambda: self.client.record(agent_id="a", reservation_id="\n")
        )
        self.assertRefused("reservation_id", lambda: self.client.release(""))
        self.assertRefused("reservation_id", lambda: self.client.get_reservation("a/\n"))
        self.assertRefused("customer_id", lambda: self.client.balance("x" * 300))

    def test_other_preflight_arguments(self) -> None:
        self.assertRefused("reserve", lambda: self.client.preflight(agent_id="a", reserve=1))  # type: ignore[arg-type]
        self.assertRefused("reserve", lambda: self.client.preflight(agent_id="a", reserve="yes"))  # type: ignore[arg-type]
        for bad in (0, 86_401, 1.5):
            with self.subTest(ttl_seconds=bad):
                self.assertRefused(
                    "ttl_seconds", lambda: self.client.preflight(agent_id="a", ttl_seconds=bad)  # type: ignore[arg-type]
                )
        self.assertRefused(
            "estimated_units", lambda: self.client.preflight(agent_id="a", estimated_units="AUTO")
        )

    def test_metadata_is_a_json_object_of_at_most_4_kib(self) -> None:
        self.assertRefused("metadata", lambda: self.client.record(agent_id="a", metadata=[1]))  # type: ignore[arg-type]
        self.assertRefused(
            "metadata", lambda: self.client.record(agent_id="a", metadata={1: "x"})  # type: ignore[dict-item]
        )
        self.assertRefused(
            "metadata.score",
            lambda: self.client.record(agent_id="a", metadata={"score": math.nan}),
        )
        self.assertRefused(
            "metadata.tags",
            lambda: self.client.record(agent_id="a", metadata={"tags": {"a", "b"}}),
        )
        self.assertRefused(
            "metadata.when",
            lambda: self.client.record(agent_id="a", metadata={"when": datetime.now()}),
        )
        self.assertRefused(
            "metadata",
            lambda: self.client.record(agent_id="a", metadata={"text": "é" * 2100}),
        )

    def test_unknown_or_camel_case_keyword_arguments_fail_before_sending(self) -> None:
        with self.assertRaises(TypeError) as caught:
            self.client.preflight(agent_id="a", estimatedUnits=10)  # type: ignore[call-arg]
        self.assertIn("estimatedUnits", str(caught.exception))
        with self.assertRaises(TypeError):
            self.client.record(agent_id="a", unit=10)  # type: ignore[call-arg]
        with self.assertRaises(TypeError):
            self.client.preflight("researcher")  # type: ignore[misc]

    def test_run_and_meter_check_their_arguments_when_made(self) -> None:
        self.assertRefused("ceiling", lambda: self.client.run(agent_id="a", ceiling=1.5))  # type: ignore[arg-type]
        self.assertRefused(
            "estimated_units", lambda: self.client.run(agent_id="a", estimated_units="auto")  # type: ignore[arg-type]
        )
        self.assertRefused("units", lambda: self.client.meter(agent_id="a", units=True))
        self.assertRefused("agent_id", lambda: self.client.meter(agent_id="", units=1))

    def test_admin_arguments(self) -> None:
        admin = self.client.admin
        self.assertRefused("update", lambda: admin.customers.update("c"))
        self.assertRefused(
            "limit_units", lambda: admin.customers.update("c", limit_units=True)
        )
        self.assertRefused("period", lambda: admin.customers.update("c", period="year"))  # type: ignore[arg-type]
        self.assertRefused("unlimited", lambda: admin.customers.update("c", unlimited=1))  # type: ignore[arg-type]
        self.assertRefused("limit", lambda: admin.customers.list(limit=0))
        self.assertRefused("limit", lambda: admin.customers.list(limit=201))
        self.assertRefused("units", lambda: admin.grants.create("c", units=0))
        self.assertRefused("units", lambda: admin.grants.create("c", units=1.0))  # type: ignore[arg-type]
        self.assertRefused("reason", lambda: admin.grants.create("c", units=1, reason="x" * 501))
        self.assertRefused("group_by", lambda: admin.usage(group_by="week"))  # type: ignore[arg-type]
        self.assertRefused("group_by", lambda: admin.usage(group_by=["day", "day"]))
        self.assertRefused(
            "group_by", lambda: admin.usage(group_by=["day", "agent", "customer"])
        )
        self.assertRefused("since", lambda: admin.events.list(since=datetime(2026, 1, 1)))
        self.assertRefused("until", lambda: admin.events.list(until="yesterday"))
        self.assertRefused("approved", lambda: admin.decisions.list(approved="false"))  # type: ignore[arg-type]
        self.assertRefused("scope", lambda: admin.keys.create(name="k", scope="root"))  # type: ignore[arg-type]
        self.assertRefused("name", lambda: admin.keys.create(name=""))
        self.assertRefused("key_id", lambda: admin.keys.revoke(""))
        self.assertRefused("update", lambda: admin.project.update())
        self.assertRefused(
            "upgrade_url", lambda: admin.project.update(upgrade_url="ftp://example.com")
        )
        self.assertRefused(
            "default_ttl_seconds", lambda: admin.project.update(default_ttl_seconds=0)
        )
        self.assertRefused("free_units", lambda: admin.project.update(free_units=-5))

    def test_webhook_arguments(self) -> None:
        webhooks = self.client.admin.webhooks
        url = "https://example.com/agentbill"
        for bad in ("", "example.com/hook", "ftp://example.com", " https://example.com", "https://", "https://user:pass@example.com/", "https://[::1/", "https://example.com/\n", "https://example.com/" + "x" * 1990, None, 7):
            with self.subTest(url=bad):
                wrong: Any = bad
                self.assertRefused("url", lambda: webhooks.create(url=wrong, events=["*"]))
        bad_events: List[object] = ["*", [], (), None, {"*"}, "grant.created"]
        for bad in bad_events:
            with self.subTest(events=bad):
                wrong = bad
                self.assertRefused("events", lambda: webhooks.create(url=url, events=wrong))
        self.assertRefused("events[1]", lambda: webhooks.create(url=url, events=["grant.created", "grant.creatd"]))  # type: ignore[list-item]
        self.assertRefused("events[0]", lambda: webhooks.create(url=url, events=[None]))  # type: ignore[list-item]
        repeated = self.assertRefused("events", lambda: webhooks.create(url=url, events=["*", "*"]))
        self.assertIn("repeated", str(repeated))
        bad_thresholds: List[object] = [[], [0], [1001], [80, 80], [True], [50.0], ["80"], list(range(1, 12)), 80]
        for bad in bad_thresholds:
            with self.subTest(thresholds=bad):
                wrong = bad
                self.assertRefused("thresholds", lambda: webhooks.create(url=url, events=["*"], thresholds=wrong))
        for bad in ("", "x" * 501, "a\tb", 5):
            with self.subTest(description=bad):
                wrong = bad
                self.assertRefused("description", lambda: webhooks.create(url=url, events=["*"], description=wrong))
        for call in (webhooks.get, webhooks.delete, webhooks.deliveries):
            with self.subTest(call=call.__name__):
                self.assertRefused("endpoint_id", lambda: call(""))
                self.assertRefused("endpoint_id", lambda: call("whe_1\n"))
        self.assertRefused("status", lambda: webhooks.deliveries("whe_1", status="done"))  # type: ignore[arg-type]
        self.assertRefused("limit", lambda: webhooks.deliveries("whe_1", limit=0))
        self.assertRefused("limit", lambda: webhooks.deliveries("whe_1", limit=201))
        self.assertRefused("limit", lambda: webhooks.deliveries("whe_1", limit=True))
        self.assertRefused("starting_after", lambda: webhooks.deliveries("whe_1", starting_after=""))
        self.assertRefused("endpoint_id", lambda: webhooks.resend("", "whdel_1"))
        self.assertRefused("delivery_id", lambda: webhooks.resend("whe_1", ""))
        self.assertRefused("delivery_id", lambda: webhooks.resend("whe_1", "x" * 201))
        with self.assertRaises(TypeError):
            webhooks.create("https://example.com", ["*"])  # type: ignore[misc]
        with self.assertRaises(TypeError):
            webhooks.deliveries("whe_1", startingAfter="whdel_1")  # type: ignore[call-arg]

    def test_runs_decision_summary_search_and_usage_filters(self) -> None:
        admin = self.client.admin
        self.assertRefused("run_id", lambda: admin.runs.get(""))
        self.assertRefused("run_id", lambda: admin.runs.get("run\n1"))
        self.assertRefused("run_id", lambda: admin.runs.get(None))  # type: ignore[arg-type]
        self.assertRefused("search", lambda: admin.customers.list(search=""))
        self.assertRefused("search", lambda: admin.customers.list(search="x" * 201))
        self.assertRefused("search", lambda: admin.customers.list(search="a\tb"))
        self.assertRefused("limit", lambda: admin.customers.list(search="a", limit=0))
        for bad in ("week", ["day", "day"], ["day", "agent", "reason"], [], ["reason", 1], [["day"]], {"day"}, None):
            with self.subTest(group_by=bad):
                wrong: Any = bad
                self.assertRefused("group_by", lambda: admin.decisions.summary(group_by=wrong))
        self.assertRefused("approved", lambda: admin.decisions.summary(approved="false"))  # type: ignore[arg-type]
        self.assertRefused("approved", lambda: admin.decisions.summary(approved=0))  # type: ignore[arg-type]
        self.assertRefused("since", lambda: admin.decisions.summary(since=datetime(2026, 1, 1)))
        self.assertRefused("until", lambda: admin.decisions.summary(until="tomorrow"))
        self.assertRefused("customer_id", lambda: admin.decisions.summary(customer_id=""))
        self.assertRefused("agent_id", lambda: admin.decisions.summary(agent_id="x" * 201))
        self.assertRefused("group_by", lambda: admin.usage(group_by="reason"))  # type: ignore[arg-type]
        self.assertRefused("group_by", lambda: admin.usage(group_by=[["day"]]))  # type: ignore[list-item]
        self.assertRefused("customer_id", lambda: admin.usage(group_by="day", customer_id="\x00"))
        self.assertRefused("agent_id", lambda: admin.usage(group_by="day", agent_id=7))  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            admin.decisions.summary(groupBy="day")  # type: ignore[call-arg]

    def test_the_async_client_refuses_the_same_arguments_before_sending(self) -> None:
        client = AsyncAgentBillClient(api_key="agb_test", base_url=self.server.url, max_retries=0, exit_flush_timeout=None)
        calls: Dict[str, Callable[[], Coroutine[Any, Any, object]]] = {
            "run_id": lambda: client.admin.runs.get(""),
            "search": lambda: client.admin.customers.list(search=""),
            "group_by": lambda: client.admin.decisions.summary(group_by=["day", "day"]),
            "customer_id": lambda: client.admin.usage(group_by="day", customer_id=""),
            "agent_id": lambda: client.admin.decisions.summary(agent_id=""),
            "url": lambda: client.admin.webhooks.create(url="ftp://example.com", events=["*"]),
            "events[0]": lambda: client.admin.webhooks.create(url="https://example.com", events=["nope"]),  # type: ignore[list-item]
            "thresholds": lambda: client.admin.webhooks.create(url="https://example.com", events=["*"], thresholds=[0]),
            "endpoint_id": lambda: client.admin.webhooks.get(""),
            "status": lambda: client.admin.webhooks.deliveries("whe_1", status="done"),  # type: ignore[arg-type]
            "delivery_id": lambda: client.admin.webhooks.resend("whe_1", ""),
        }
        for param, call in calls.items():
            with self.subTest(param=param):
                self.assertRefused(param, lambda: asyncio.run(call()))
        asyncio.run(client.close())

    def test_register_arguments(self) -> None:
        self.assertRefused("project_name", lambda: register(project_name="", base_url=self.server.url))
        self.assertRefused(
            "email", lambda: register(project_name="p", email="nope", base_url=self.server.url)
        )

    def test_report_checks_units(self) -> None:
        from agentbill._preflight import PreflightResult
        from agentbill._run import Run

        run = Run(
            run_id="r",
            agent_id="a",
            customer_id="c",
            ceiling=None,
            preflight=PreflightResult(
                approved=True,
                reason=None,
                remaining_units=None,
                estimated_units=1,
                estimate_source="request",
                reservation_id=None,
                expires_at=None,
                upgrade_url=None,
                preflight_id=None,
                run_remaining_units=None,
                run_id="r",
                ceiling=None,
                degraded=False,
                idempotency_key="k",
            ),
        )
        self.assertRefused("units", lambda: run.report(0.5))  # type: ignore[arg-type]
        self.assertRefused("metadata", lambda: run.report(1, metadata="x"))  # type: ignore[arg-type]
        self.assertIsNone(run.reported_units)
        run.report(0)
        self.assertEqual(run.reported_units, 0, "0 is a value")

    def test_time_filters_accept_aware_datetimes_dates_and_iso_strings(self) -> None:
        from agentbill._validation import check_optional_time

        self.assertEqual(
            check_optional_time("since", datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)),
            "2026-01-31T12:00:00.000Z",
        )
        self.assertEqual(check_optional_time("since", "2026-01-31"), "2026-01-31")
        self.assertEqual(
            check_optional_time("since", "2026-01-31T10:00:00.5+02:00"), "2026-01-31T08:00:00.500Z"
        )
        self.assertEqual(check_optional_time("since", "2026-01-31T10:00:00Z"), "2026-01-31T10:00:00.000Z")


class ConfigurationErrors(unittest.TestCase):
    def test_a_missing_key_names_the_environment_variable(self) -> None:
        environment = {name: value for name, value in os.environ.items() if name != "AGENTBILL_API_KEY"}
        with mock.patch.dict(os.environ, environment, clear=True):
            with self.assertRaises(AgentBillConfigurationError) as caught:
                AgentBillClient()
        self.assertIn("AGENTBILL_API_KEY", str(caught.exception))

    def test_the_key_and_base_url_come_from_the_environment(self) -> None:
        with mock.patch.dict(
            os.environ,
            {"AGENTBILL_API_KEY": " agb_from_env ", "AGENTBILL_BASE_URL": "http://127.0.0.1:1/"},
        ):
            client = AgentBillClient(exit_flush_timeout=None)
        self.assertEqual(client._options.api_key, "agb_from_env")
        self.assertNotIn("agb_from_env", repr(client._options), "the key stays out of reprs")
        self.assertEqual(client.base_url, "http://127.0.0.1:1")
        with mock.patch.dict(os.environ, {"AGENTBILL_BASE_URL": ""}):
            self.assertEqual(AgentBillClient(api_key="k").base_url, "http://localhost:8787")

    def test_bad_options(self) -> None:
        bad_options = [
            {"base_url": "localhost:8787"},
            {"base_url": "ftp://example.com"},
            {"timeout": 0},
            {"timeout": -1},
            {"timeout": True},
            {"max_retries": -1},
            {"max_retries": True},
            {"max_retries": 1.5},
            {"fail_mode": "ajar"},
            {"max_queued_records": -1},
            {"headers": {"x-a": "b\r\nc"}},
            {"exit_flush_timeout": 0},
            {"default_customer_id": ""},
        ]
        for options in bad_options:
            with self.subTest(options=options):
                with self.assertRaises(AgentBillConfigurationError):
                    AgentBillClient(api_key="agb_x", **options)  # type: ignore[arg-type]


if __name__ == "__main__":
    unittest.main()
