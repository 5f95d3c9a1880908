"""A marker for "argument not given", where ``None`` is a value the caller may send."""

from __future__ import annotations


class NotGiven:
    """The type of :data:`NOT_GIVEN`; leaves a field out of an update."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        # Unpickles as the module's one instance.
        return "NOT_GIVEN"


#: Leaves a field out (``customers.update(limit_units=None)`` sends ``null``: back to the
#: project's free units; not giving it changes nothing).
NOT_GIVEN = NotGiven()
