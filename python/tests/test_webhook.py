"""Webhook signatures: the scheme itself, refusals, and agreement with the TypeScript client.

The cross-language tests run the built TypeScript client (``packages/core/dist/index.js``, built
by the root test command) in ``node``: a signature made by its ``signWebhook`` must verify here,
and one made here must verify there.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import shutil
import subprocess
import time
import unittest
from typing import Any, Dict, List

from agentbill import (
    WEBHOOK_SIGNATURE_HEADER,
    AgentBillError,
    AgentBillValidationError,
    AgentBillWebhookVerificationError,
    sign_webhook,
    verify_webhook,
)

from .server_process import REPOSITORY

SECRET = "whsec_test_0123456789abcdefghijklmnopqrstuvwxyzABCD"
EVENT: Dict[str, Any] = {
    "id": "whevt_1",
    "type": "grant.created",
    "created_at": "2026-11-28T12:00:00.000Z",
    "project_id": "prj_1",
    "data": {"units": 500, "reason": "achat réglé ✓ \U0001f600"},
}
PAYLOAD = json.dumps(EVENT, separators=(",", ":"), ensure_ascii=False)
T = 1_795_000_000


def expected_header(payload: bytes, secret: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


class Signing(unittest.TestCase):
    def test_signs_hmac_sha256_over_t_dot_body_keyed_with_the_whole_secret(self) -> None:
        header = sign_webhook(PAYLOAD, SECRET, T)
        self.assertEqual(header, expected_header(PAYLOAD.encode("utf-8"), SECRET, T))
        self.assertEqual(sign_webhook(PAYLOAD.encode("utf-8"), SECRET, T), header, "bytes sign alike")
        self.assertNotEqual(
            header,
            expected_header(PAYLOAD.encode("utf-8"), SECRET[len("whsec_"):], T),
            "the whsec_ prefix is part of the key",
        )

    def test_the_timestamp_defaults_to_now(self) -> None:
        before = int(time.time())
        header = sign_webhook(PAYLOAD, SECRET)
        timestamp = int(header.split(",")[0][len("t="):])
        self.assertTrue(before <= timestamp <= int(time.time()))
        self.assertEqual(verify_webhook(PAYLOAD, header, SECRET), EVENT)

    def test_the_header_name(self) -> None:
        self.assertEqual(WEBHOOK_SIGNATURE_HEADER, "agentbill-signature")


class Verifying(unittest.TestCase):
    def assertRefused(self, pattern: str, payload: Any, signature: Any, **options: Any) -> None:
        with self.assertRaises(AgentBillWebhookVerificationError) as caught:
            verify_webhook(payload, signature, options.pop("secret", SECRET), now=options.pop("now", T), **options)
        self.assertRegex(str(caught.exception), pattern)
        self.assertIsInstance(caught.exception, AgentBillError)

    def test_returns_the_event_for_the_body_as_bytes_or_text(self) -> None:
        header = sign_webhook(PAYLOAD, SECRET, T)
        raw = PAYLOAD.encode("utf-8")
        for payload in (PAYLOAD, raw, bytearray(raw), memoryview(raw)):
            with self.subTest(payload=type(payload).__name__):
                event = verify_webhook(payload, header, SECRET, now=T)
                self.assertEqual(event, EVENT)
                self.assertEqual((event["id"], event["type"], event["data"]["units"]), ("whevt_1", "grant.created", 500))

    def test_accepts_any_of_several_v1_signatures(self) -> None:
        good = sign_webhook(PAYLOAD, SECRET, T).split("v1=")[1]
        other = sign_webhook(PAYLOAD, "whsec_old", T).split("v1=")[1]
        for header in (f"t={T},v1={'0' * 64},v1={good}", f"v1={other}, t={T} , v1={good}"):
            with self.subTest(header=header):
                self.assertEqual(verify_webhook(PAYLOAD, header, SECRET, now=T)["id"], "whevt_1")

    def test_timestamps_within_the_tolerance_pass_and_others_are_refused_as_replays(self) -> None:
        for signed_at in (T - 300, T + 300):
            with self.subTest(signed_at=signed_at):
                verify_webhook(PAYLOAD, sign_webhook(PAYLOAD, SECRET, signed_at), SECRET, now=T)
        self.assertRefused(r"301 s old, past the 300 s tolerance", PAYLOAD, sign_webhook(PAYLOAD, SECRET, T - 301))
        self.assertRefused(r"301 s in the future", PAYLOAD, sign_webhook(PAYLOAD, SECRET, T + 301))
        header = sign_webhook(PAYLOAD, SECRET, T - 10)
        self.assertRefused(r"past the 5 s tolerance", PAYLOAD, header, tolerance_seconds=5)
        verify_webhook(PAYLOAD, header, SECRET, now=T, tolerance_seconds=10)
        verify_webhook(PAYLOAD, sign_webhook(PAYLOAD, SECRET, T), SECRET, now=T + 0.999, tolerance_seconds=0)
        self.assertRefused(r"tolerance", PAYLOAD, f"t={'9' * 5000},v1={'0' * 64}")
        # The default clock is time.time(): a signature from an hour ago is stale now.
        with self.assertRaises(AgentBillWebhookVerificationError):
            verify_webhook(PAYLOAD, sign_webhook(PAYLOAD, SECRET, int(time.time()) - 3600), SECRET)

    def test_refuses_a_body_or_secret_that_does_not_match(self) -> None:
        header = sign_webhook(PAYLOAD, SECRET, T)
        self.assertRefused("does not match", PAYLOAD.replace("500", "500000"), header)
        self.assertRefused("does not match", PAYLOAD + " ", header)
        self.assertRefused("does not match", PAYLOAD, sign_webhook(PAYLOAD, "whsec_other", T))
        self.assertRefused("does not match", PAYLOAD, header, secret=SECRET[len("whsec_"):])
        self.assertRefused("does not match", PAYLOAD, header.replace(f"t={T}", f"t={T - 1}"))
        re_serialized = json.dumps(EVENT)  # spaces and \\u escapes: not the bytes that were signed
        self.assertRefused("does not match", re_serialized, header)

    def test_refuses_a_missing_or_malformed_header(self) -> None:
        good = sign_webhook(PAYLOAD, SECRET, T).split("v1=")[1]
        self.assertRefused("No AgentBill-Signature header", PAYLOAD, None)
        self.assertRefused("No AgentBill-Signature header", PAYLOAD, "  ")
        for header in ("v1=abc", f"v1={good}", f"t={T}", f"t=,v1={good}", f"t=-{T},v1={good}",
                       f"t={T},v1={good.upper()}", f"t={T},v2={good}", f"t={T},v1={good[:-1]}", "garbage"):
            with self.subTest(header=header):
                self.assertRefused("malformed", PAYLOAD, header)

    def test_refuses_a_signed_body_that_is_not_an_event(self) -> None:
        cases = {
            "[1]": "not an AgentBill event",
            '{"id": 1, "type": "grant.created"}': "not an AgentBill event",
            '{"id": "whevt_1"}': "not an AgentBill event",
            "not json": "not JSON",
            '{"id": "e", "type": "t", "data": {"n": NaN}}': "not JSON",
        }
        for body, pattern in cases.items():
            with self.subTest(body=body):
                self.assertRefused(pattern, body, sign_webhook(body, SECRET, T))
        raw = b'{"id": "e", "type": "t\xff"}'
        self.assertRefused("not JSON", raw, sign_webhook(raw, SECRET, T))
        self.assertRefused("lone surrogate", '{"id": "\ud800"}', f"t={T},v1={'0' * 64}")

    def test_the_error_pickles(self) -> None:
        error = pickle.loads(pickle.dumps(AgentBillWebhookVerificationError("No AgentBill-Signature header")))
        self.assertIsInstance(error, AgentBillWebhookVerificationError)
        self.assertEqual(str(error), "No AgentBill-Signature header")


class BadArguments(unittest.TestCase):
    """A wrong argument is a programming error, told apart from a delivery that fails."""

    def assertRefused(self, param: str, call: Any) -> None:
        with self.assertRaises(AgentBillValidationError) as caught:
            call()
        self.assertEqual(caught.exception.param, param)

    def test_verify_arguments(self) -> None:
        header = sign_webhook(PAYLOAD, SECRET, T)
        for secret in ("", SECRET + "\n", 5, None, b"whsec_x"):
            with self.subTest(secret=secret):
                self.assertRefused("secret", lambda: verify_webhook(PAYLOAD, header, secret, now=T))  # type: ignore[arg-type]
        for payload in (None, 5, {"id": "x"}):
            with self.subTest(payload=payload):
                self.assertRefused("payload", lambda: verify_webhook(payload, header, SECRET, now=T))  # type: ignore[arg-type]
        for tolerance in (-1, True, float("nan"), float("inf"), "300"):
            with self.subTest(tolerance_seconds=tolerance):
                self.assertRefused(
                    "tolerance_seconds",
                    lambda: verify_webhook(PAYLOAD, header, SECRET, now=T, tolerance_seconds=tolerance),  # type: ignore[arg-type]
                )
        for now in (True, "now", float("nan")):
            with self.subTest(now=now):
                self.assertRefused("now", lambda: verify_webhook(PAYLOAD, header, SECRET, now=now))  # type: ignore[arg-type]
        self.assertRefused("signature", lambda: verify_webhook(PAYLOAD, header.encode(), SECRET, now=T))  # type: ignore[arg-type]
        # An empty secret is refused, not used: anyone can sign with an empty key.
        forged = expected_header(PAYLOAD.encode("utf-8"), "", T)
        self.assertRefused("secret", lambda: verify_webhook(PAYLOAD, forged, "", now=T))

    def test_sign_arguments(self) -> None:
        for timestamp in (-1, 1.5, True, "1795000000"):
            with self.subTest(timestamp=timestamp):
                self.assertRefused("timestamp", lambda: sign_webhook(PAYLOAD, SECRET, timestamp))  # type: ignore[arg-type]
        self.assertRefused("secret", lambda: sign_webhook(PAYLOAD, ""))
        self.assertRefused("payload", lambda: sign_webhook(EVENT, SECRET))  # type: ignore[arg-type]
        self.assertEqual(sign_webhook("", SECRET, 0), expected_header(b"", SECRET, 0), "0 and '' are values")


_NODE_SCRIPT = """
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
const input = JSON.parse(readFileSync(0, 'utf8'))
const core = await import(pathToFileURL(input.module).href)
const results = []
for (const step of input.steps) {
  try {
    if (step.action === 'stringify-and-sign') {
      const payload = JSON.stringify(step.event)
      results.push({ payload, header: await core.signWebhook(payload, step.secret, step.timestamp) })
    } else if (step.action === 'sign') {
      results.push({ header: await core.signWebhook(step.payload, step.secret, step.timestamp) })
    } else {
      const event = await core.verifyWebhook({
        payload: step.payload, signature: step.signature, secret: step.secret, now: () => step.now * 1000,
      })
      results.push({ event })
    }
  } catch (error) {
    results.push({ error: error.name, message: error.message })
  }
}
process.stdout.write(JSON.stringify(results))
"""


def run_typescript_client(steps: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Runs the steps through the built TypeScript client in one ``node`` process."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH: the cross-language tests run the TypeScript client")
    module = os.path.join(REPOSITORY, "packages", "core", "dist", "index.js")
    if not os.path.exists(module):
        raise RuntimeError(
            f"The TypeScript client is not built ({module} is missing): run "
            "`npx -y pnpm@12.21.0 exec turbo run build --filter=agentbill` (the root test command builds it first)"
        )
    completed = subprocess.run(
        [node, "--input-type=module", "-e", _NODE_SCRIPT],
        input=json.dumps({"module": module, "steps": steps}).encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"node failed: {completed.stderr.decode('utf-8', 'replace')}")
    results: List[Dict[str, Any]] = json.loads(completed.stdout.decode("utf-8"))
    return results


class AgreesWithTheTypeScriptClient(unittest.TestCase):
    def test_a_signature_made_by_typescript_verifies_here(self) -> None:
        event = {**EVENT, "data": {"units": 500, "note": "line\u2028separator, \"quotes\", é, \U0001f600, </script>"}}
        made, stale = run_typescript_client(
            [
                {"action": "stringify-and-sign", "event": event, "secret": SECRET, "timestamp": T},
                {"action": "stringify-and-sign", "event": event, "secret": SECRET, "timestamp": T - 301},
            ]
        )
        payload: str = made["payload"]
        self.assertEqual(verify_webhook(payload.encode("utf-8"), made["header"], SECRET, now=T), event)
        self.assertEqual(verify_webhook(payload, made["header"], SECRET, now=T), event)
        self.assertEqual(sign_webhook(payload, SECRET, T), made["header"], "the same header, byte for byte")
        with self.assertRaises(AgentBillWebhookVerificationError):
            verify_webhook(payload.replace("500", "501"), made["header"], SECRET, now=T)
        with self.assertRaisesRegex(AgentBillWebhookVerificationError, "tolerance"):
            verify_webhook(payload, stale["header"], SECRET, now=T)

    def test_a_signature_made_here_verifies_in_typescript(self) -> None:
        header = sign_webhook(PAYLOAD, SECRET, T)
        rotated = f"{header},v1={'f' * 64}"
        good, rotating, tampered, other_secret, stale = run_typescript_client(
            [
                {"action": "verify", "payload": PAYLOAD, "signature": header, "secret": SECRET, "now": T},
                {"action": "verify", "payload": PAYLOAD, "signature": rotated, "secret": SECRET, "now": T},
                {"action": "verify", "payload": PAYLOAD.replace("500", "5000"), "signature": header, "secret": SECRET, "now": T},
                {"action": "verify", "payload": PAYLOAD, "signature": header, "secret": "whsec_other", "now": T},
                {"action": "verify", "payload": PAYLOAD, "signature": header, "secret": SECRET, "now": T + 301},
            ]
        )
        self.assertEqual(good, {"event": EVENT})
        self.assertEqual(rotating, {"event": EVENT})
        for refused, pattern in ((tampered, "does not match"), (other_secret, "does not match"), (stale, "tolerance")):
            self.assertEqual(refused.get("error"), "AgentBillWebhookVerificationError", refused)
            self.assertRegex(refused["message"], pattern)

    def test_both_sign_the_same_bytes_for_the_same_text(self) -> None:
        payloads = ["", "{}", PAYLOAD, '{"a":"\u00e9\u0301 \u2603 \U0001f9d1\u200d\U0001f4bb"}']
        results = run_typescript_client(
            [{"action": "sign", "payload": payload, "secret": SECRET, "timestamp": T + index} for index, payload in enumerate(payloads)]
        )
        for index, (payload, result) in enumerate(zip(payloads, results)):
            with self.subTest(payload=payload):
                self.assertEqual(sign_webhook(payload, SECRET, T + index), result["header"])


if __name__ == "__main__":
    unittest.main()
