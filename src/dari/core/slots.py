"""Typed names of the domain singletons kept on the runtime (no imports: any module may use it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Slot(Generic[T]):
    """The typed name of a domain singleton: `SEARCH = Slot[SearchService]("search")`.

    Each domain declares its slots next to the type they hold and reads them with
    `runtime.get(slot, factory)` / `runtime.peek(slot)`, so callers get the real type, not `Any`.
    """

    name: str
