"""One page of a list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterator, Mapping, Tuple, TypeVar

_Item = TypeVar("_Item")


@dataclass(frozen=True)
class Page(Generic[_Item]):
    """One page of a list; pass the last item's id as ``starting_after`` to get the next."""

    data: Tuple[_Item, ...]
    #: Whether there are more items after this page.
    has_more: bool

    def __iter__(self) -> Iterator[_Item]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)



def to_page(wire: Mapping[str, Any], item: Callable[[Mapping[str, Any]], _Item]) -> Page[_Item]:
    """Maps the server's JSON list, each element through ``item``."""
    return Page(
        data=tuple(item(element) for element in wire["data"]),
        has_more=bool(wire.get("has_more")),
    )
