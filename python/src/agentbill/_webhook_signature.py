"""Verifying (and, for tests, making) the signature of a webhook delivery.

The scheme, shared with the server and the TypeScript client: the ``AgentBill-Signature``
header is ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``, keyed with the UTF-8
bytes of the whole ``whsec_...`` secret (prefix included). Several ``v1=`` entries may come (a
secret being rotated); any match is accepted. A timestamp further than the tolerance from now is
refused as a replay. Standard library only (``hmac``, ``hashlib``); comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import time
from typing import Any, Dict, List, Optional, Tuple, Union, cast

from ._errors import AgentBillValidationError, AgentBillWebhookVerificationError
from ._validation import check_integer_in_range, check_text, describe
from ._webhook_event import WebhookEvent

#: The header that carries a delivery's signature (header names are case-insensitive).
WEBHOOK_SIGNATURE_HEADER = "agentbill-signature"

#: A request body as received: the text, or better the raw bytes.
WebhookPayload = Union[str, bytes, bytearray, memoryview]

_TIMESTAMP = re.compile("[0-9]+")
_SIGNATURE = re.compile("[0-9a-f]{64}")
_MAX_SECRET_LENGTH = 4096
# Past this many digits a timestamp is centuries away: refused as stale without int() of it all.
_MAX_TIMESTAMP_DIGITS = 20


def verify_webhook(
    payload: WebhookPayload,
    signature: Optional[str],
    secret: str,
    *,
    tolerance_seconds: float = 300,
    now: Optional[float] = None,
) -> WebhookEvent:
    """Checks a webhook delivery and returns its event.

    The signature must match the body and your secret (compared in constant time) and be at most
    ``tolerance_seconds`` away from now. Answer an :class:`AgentBillWebhookVerificationError`
    with a 400 and do not act on the body.

    Example (Flask)::

        @app.post("/agentbill/webhooks")
        def agentbill_webhook():
            event = verify_webhook(
                request.get_data(),                      # the raw bytes, not re-serialized JSON
                request.headers.get("AgentBill-Signature"),
                os.environ["AGENTBILL_WEBHOOK_SECRET"],
            )
            if event["type"] == "customer.budget.threshold":
                notify_owner(event["data"])
            return "", 204

    Args:
        payload: the request body exactly as received: its raw bytes (best), or its text.
        signature: the ``AgentBill-Signature`` header; ``None`` when the request had none.
        secret: your endpoint's signing secret (``whsec_...``), from the answer that created
            the endpoint.
        tolerance_seconds: how old (or how far in the future) a signature may be, in seconds;
            older deliveries are refused as replays. Default 300.
        now: the current time in Unix seconds. Default ``time.time()``.

    Raises:
        AgentBillWebhookVerificationError: a missing, malformed, wrong or stale signature, or a
            body that is not an event.
        AgentBillValidationError: an argument of the wrong type (an empty secret, a negative
            tolerance), before anything is checked.
    """
    body = _check_payload(payload)
    key = _check_secret(secret)
    tolerance = _check_seconds("tolerance_seconds", tolerance_seconds, minimum=0)
    current = time.time() if now is None else _check_seconds("now", now, minimum=-math.inf)
    if signature is not None and not isinstance(signature, str):
        raise AgentBillValidationError(
            "signature", f"must be the header's text or None, got {describe(signature)}"
        )
    timestamp, candidates = _parse_signature_header(signature)
    now_seconds = math.floor(current)
    age = now_seconds - timestamp
    if abs(age) > tolerance:
        when = f"{age} s old" if age >= 0 else f"{-age} s in the future"
        raise AgentBillWebhookVerificationError(
            f"The signature's timestamp is {when}, past the {_seconds(tolerance)} s tolerance: "
            "a replay, or a clock far off"
        )
    raw = _body_bytes(body)
    expected = _hmac_hex(key, timestamp, raw)
    if not any(hmac.compare_digest(candidate, expected) for candidate in candidates):
        raise AgentBillWebhookVerificationError(
            "The signature does not match the body and this secret"
        )
    try:
        event: object = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        raise AgentBillWebhookVerificationError("The body is not JSON") from None
    if not isinstance(event, dict):
        raise AgentBillWebhookVerificationError("The body is not an AgentBill event")
    fields = cast(Dict[str, Any], event)
    if not isinstance(fields.get("id"), str) or not isinstance(fields.get("type"), str):
        raise AgentBillWebhookVerificationError("The body is not an AgentBill event")
    return cast(WebhookEvent, fields)


def sign_webhook(payload: WebhookPayload, secret: str, timestamp: Optional[int] = None) -> str:
    """Signs ``payload`` as AgentBill does and returns the ``AgentBill-Signature`` header value.

    For testing your endpoint without a server.

    Args:
        payload: the body to send (text or bytes).
        secret: the endpoint's signing secret (``whsec_...``).
        timestamp: Unix seconds. Default now.
    """
    body = _check_payload(payload)
    key = _check_secret(secret)
    moment = (
        math.floor(time.time())
        if timestamp is None
        else check_integer_in_range("timestamp", timestamp, 0, 10**15)
    )
    return f"t={moment},v1={_hmac_hex(key, moment, _body_bytes(body))}"


def _check_payload(payload: object) -> Union[str, bytes]:
    if isinstance(payload, str):
        return payload
    if isinstance(payload, (bytes, bytearray)):
        return bytes(payload)
    if isinstance(payload, memoryview):
        return cast(memoryview, payload).tobytes()
    raise AgentBillValidationError(
        "payload", f"must be the request body as bytes or str, got {describe(payload)}"
    )


def _check_secret(secret: object) -> bytes:
    # A secret read from a file with its newline would never match; say so instead.
    return check_text("secret", secret, _MAX_SECRET_LENGTH).encode("utf-8")


def _check_seconds(param: str, value: object, *, minimum: float) -> float:
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= minimum
    ):
        return value
    bound = "a finite number" if minimum == -math.inf else f"a number of at least {minimum:g}"
    raise AgentBillValidationError(param, f"must be {bound} of seconds, got {describe(value)}")


def _seconds(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _body_bytes(body: Union[str, bytes]) -> bytes:
    if isinstance(body, bytes):
        return body
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError:
        raise AgentBillWebhookVerificationError(
            "The body is not valid Unicode text (a lone surrogate): pass the raw bytes of the "
            "request body"
        ) from None


def _hmac_hex(key: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(key, f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()


def _parse_signature_header(header: Optional[str]) -> Tuple[int, List[str]]:
    if header is None or header.strip() == "":
        raise AgentBillWebhookVerificationError("No AgentBill-Signature header")
    timestamp: Optional[int] = None
    signatures: List[str] = []
    for part in header.split(","):
        pieces = part.strip().split("=")
        name = pieces[0]
        value = pieces[1] if len(pieces) > 1 else None
        if value is None:
            continue
        if name == "t" and _TIMESTAMP.fullmatch(value) is not None:
            digits = value.lstrip("0") or "0"
            timestamp = (
                int(digits)
                if len(digits) <= _MAX_TIMESTAMP_DIGITS
                else 10**_MAX_TIMESTAMP_DIGITS
            )
        elif name == "v1" and _SIGNATURE.fullmatch(value) is not None:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise AgentBillWebhookVerificationError(
            "A malformed AgentBill-Signature header: expected t=<unix seconds>,v1=<hex>"
        )
    return timestamp, signatures


def _refuse_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity; JSON (and the server) have no such values.
    raise ValueError(f"{name} is not JSON")
