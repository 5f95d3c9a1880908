"""The one place the package reads environment variables."""

from __future__ import annotations

import os
from typing import Optional


def read_environment(name: str) -> Optional[str]:
    """The variable's value with surrounding blanks removed, or ``None`` when unset or blank."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()
