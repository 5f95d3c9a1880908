"""Checks of caller arguments, done before anything is sent.

The server refuses the same things (``api.md``: a fraction, a negative, a string, ``null`` or a
number past 10^15 is a 400); checking here first means a bad call fails at once, names the
argument as the caller spelled it, and costs no request. Python specifics: ``bool`` is a
subclass of ``int`` (``True`` must not become one unit), and a ``float`` is refused even when
whole (``10.0``), because units are counted, not measured.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timezone
from typing import Any, Dict, Mapping, Optional, Sequence, TypeVar, Union, cast

from ._errors import AgentBillValidationError

#: The largest number of units the API accepts in one field.
MAX_UNITS = 10**15
#: The largest serialized size of ``metadata``, in bytes.
MAX_METADATA_BYTES = 4096
#: The longest caller-chosen identifier, in characters (code points, as the server counts them).
MAX_IDENTIFIER_LENGTH = 200

# C0 and C1 control characters and DEL are not printable; lone surrogates are not UTF-8.
_FORBIDDEN = re.compile("[\u0000-\u001f\u007f-\u009f\ud800-\udfff]")

_Choice = TypeVar("_Choice", bound=str)


def describe(value: object) -> str:
    """A short description of ``value`` for an error message."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return repr(shown)
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return f"a {type(value).__name__}"


def check_identifier(param: str, value: object) -> str:
    """An identifier the caller chooses: 1 to 200 characters of printable UTF-8."""
    if not isinstance(value, str):
        raise AgentBillValidationError(param, f"must be a string, got {describe(value)}")
    length = len(value)
    if length < 1 or length > MAX_IDENTIFIER_LENGTH:
        raise AgentBillValidationError(
            param, f"must be 1 to {MAX_IDENTIFIER_LENGTH} characters, got {length}"
        )
    if _FORBIDDEN.search(value) is not None:
        raise AgentBillValidationError(param, "must not contain control characters")
    return value


def check_optional_identifier(param: str, value: object) -> Optional[str]:
    """Like :func:`check_identifier`; ``None`` passes through (the default applies)."""
    return None if value is None else check_identifier(param, value)


def check_text(param: str, value: object, max_length: int) -> str:
    """Printable text of 1 to ``max_length`` characters (names, reasons)."""
    if not isinstance(value, str):
        raise AgentBillValidationError(param, f"must be a string, got {describe(value)}")
    length = len(value)
    if length < 1 or length > max_length:
        raise AgentBillValidationError(
            param, f"must be 1 to {max_length} characters, got {length}"
        )
    if _FORBIDDEN.search(value) is not None:
        raise AgentBillValidationError(param, "must not contain control characters")
    return value


def is_integer(value: object) -> bool:
    """Whether ``value`` is an ``int`` and not a ``bool`` (which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_integer_in_range(param: str, value: object, minimum: int, maximum: int) -> int:
    """An ``int`` (not ``bool``, not ``float``) within ``[minimum, maximum]``."""
    if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum:
        return int(value)
    shown_maximum = "10^15" if maximum == MAX_UNITS else str(maximum)
    hint = ""
    if isinstance(value, float) and math.isfinite(value):
        hint = " (units are whole numbers: round first, e.g. math.ceil)"
    raise AgentBillValidationError(
        param,
        f"must be an integer from {minimum} to {shown_maximum}, got {describe(value)}{hint}",
    )


def check_units(param: str, value: object) -> int:
    """A whole number of units from 0 to 10^15."""
    return check_integer_in_range(param, value, 0, MAX_UNITS)


def check_optional_units(param: str, value: object) -> Optional[int]:
    """Like :func:`check_units`; ``None`` passes through."""
    return None if value is None else check_units(param, value)


def check_optional_integer_in_range(
    param: str, value: object, minimum: int, maximum: int
) -> Optional[int]:
    """Like :func:`check_integer_in_range`; ``None`` passes through."""
    return None if value is None else check_integer_in_range(param, value, minimum, maximum)


def check_optional_boolean(param: str, value: object) -> Optional[bool]:
    """``True``, ``False`` or ``None``; ``1`` and ``"true"`` are refused."""
    if value is None or isinstance(value, bool):
        return value
    raise AgentBillValidationError(param, f"must be True or False, got {describe(value)}")


def check_optional_choice(
    param: str, value: object, choices: Sequence[_Choice]
) -> Optional[_Choice]:
    """One of ``choices``, or ``None``."""
    if value is None:
        return None
    if isinstance(value, str) and value in choices:
        return cast(_Choice, value)
    raise AgentBillValidationError(
        param, f"must be one of {', '.join(choices)}, got {describe(value)}"
    )


def _check_json(path: str, value: object) -> None:
    if value is None or isinstance(value, (bool, str)) or is_integer(value):
        if isinstance(value, str) and re.search("[\ud800-\udfff]", value) is not None:
            raise AgentBillValidationError(path, "must be valid Unicode (a lone surrogate)")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise AgentBillValidationError(path, f"must be a finite number, got {value!r}")
        return
    if isinstance(value, Mapping):
        for key, item in cast(Mapping[object, object], value).items():
            if not isinstance(key, str):
                raise AgentBillValidationError(path, f"keys must be strings, got {describe(key)}")
            _check_json(f"{path}.{key}", item)
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(cast(Sequence[object], value)):
            _check_json(f"{path}[{index}]", item)
        return
    raise AgentBillValidationError(
        path,
        "must hold only JSON values (dict, list, str, int, float, bool, None), "
        f"got {describe(value)}",
    )


def compact_json(value: object) -> str:
    """JSON as JavaScript's ``JSON.stringify`` writes it: no spaces, non-ASCII kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def check_optional_metadata(param: str, value: object) -> Optional[Dict[str, Any]]:
    """A JSON object (``dict`` with ``str`` keys) of at most 4 KiB serialized, or ``None``."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise AgentBillValidationError(param, f"must be a dict, got {describe(value)}")
    checked = dict(cast(Mapping[str, Any], value))
    _check_json(param, checked)
    size = len(compact_json(checked).encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise AgentBillValidationError(
            param, f"must be at most {MAX_METADATA_BYTES} bytes as JSON, got {size}"
        )
    return checked


def _parse_iso(text: str) -> Union[datetime, date]:
    candidate = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", candidate):
        return date.fromisoformat(candidate)
    # Python before 3.11 reads neither a "Z" suffix nor fractions other than 3 or 6 digits.
    match = re.fullmatch(
        r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})?",
        candidate,
    )
    if match is None:
        raise ValueError(text)
    day, clock, fraction, offset = match.groups()
    microseconds = (fraction or "").ljust(6, "0")[:6]
    zone = "" if offset is None else ("+00:00" if offset in ("Z", "z") else offset)
    if zone and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    return datetime.fromisoformat(f"{day}T{clock}.{microseconds}{zone}")


def check_optional_time(param: str, value: object) -> Optional[str]:
    """A time filter, sent as ISO 8601 in UTC; ``None`` passes through.

    Accepts an aware ``datetime``, a ``date`` (that day's UTC midnight), or an ISO 8601 string
    with an offset or ``Z`` (or a bare ``YYYY-MM-DD``). A naive ``datetime`` is refused: which
    clock it means cannot be known.
    """
    if value is None:
        return None
    parsed: Union[datetime, date]
    if isinstance(value, (datetime, date)):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = _parse_iso(value)
        except ValueError:
            raise AgentBillValidationError(
                param, f"must be an ISO 8601 date-time or date, got {describe(value)}"
            ) from None
    else:
        raise AgentBillValidationError(
            param, f"must be a datetime, a date or an ISO 8601 string, got {describe(value)}"
        )
    if not isinstance(parsed, datetime):
        return parsed.isoformat()
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise AgentBillValidationError(
            param, "must have a time zone (a naive datetime is ambiguous); use timezone.utc"
        )
    utc = parsed.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
