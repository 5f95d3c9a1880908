"""Backoff and ``Retry-After``: the same schedule as the TypeScript client."""

from __future__ import annotations

import unittest
from email.utils import formatdate

from agentbill._retry import is_retryable_status, retry_delay


class RetryDelay(unittest.TestCase):
    def test_backoff_starts_at_half_a_second_doubles_and_stops_at_eight(self) -> None:
        delays = [retry_delay(retry, None, random=lambda: 0.0) for retry in range(7)]
        self.assertEqual(delays, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0])

    def test_jitter_takes_off_at_most_a_quarter(self) -> None:
        self.assertAlmostEqual(retry_delay(0, None, random=lambda: 1.0), 0.375)
        self.assertAlmostEqual(retry_delay(4, None, random=lambda: 0.5), 7.0)

    def test_retry_after_seconds_and_milliseconds_are_honoured(self) -> None:
        self.assertEqual(retry_delay(0, {"retry-after": "3"}), 3.0)
        self.assertEqual(retry_delay(5, {"retry-after": "0"}), 0.0)
        self.assertEqual(retry_delay(0, {"retry-after-ms": "250", "retry-after": "9"}), 0.25)

    def test_retry_after_as_an_http_date(self) -> None:
        now = 1_800_000_000.0
        header = formatdate(now + 7, usegmt=True)
        self.assertAlmostEqual(retry_delay(0, {"retry-after": header}, now=lambda: now), 7.0)

    def test_a_wait_past_60_seconds_or_unreadable_falls_back_to_backoff(self) -> None:
        fixed = {"random": lambda: 0.0}
        self.assertEqual(retry_delay(1, {"retry-after": "61"}, **fixed), 1.0)
        self.assertEqual(retry_delay(1, {"retry-after": "-1"}, **fixed), 1.0)
        self.assertEqual(retry_delay(1, {"retry-after": "soon"}, **fixed), 1.0)
        self.assertEqual(retry_delay(1, {"retry-after-ms": "nan"}, **fixed), 1.0)
        self.assertEqual(retry_delay(1, {"retry-after": "60"}, **fixed), 60.0)

    def test_which_statuses_are_retried(self) -> None:
        for status in (408, 409, 429, 500, 502, 503, 504):
            self.assertTrue(is_retryable_status(status), status)
        for status in (400, 401, 403, 404, 413, 415, 422):
            self.assertFalse(is_retryable_status(status), status)


if __name__ == "__main__":
    unittest.main()
