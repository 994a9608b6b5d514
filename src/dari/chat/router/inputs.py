"""What the router is given about one turn (`RouterInput`); no I/O happens inside `route`."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from dari.chat.router.mentions import EntityFinder
from dari.chat.router.plan import RoutePlan


@dataclass
class RouterInput:
    """Everything the router needs about one turn (no I/O happens inside `route`)."""

    question: str
    today: date
    allowed_tools: Collection[str]
    attributes: Mapping[str, str] = field(default_factory=dict)
    display_name: str = ""
    find_entities: EntityFinder | None = None
    previous: RoutePlan | None = None
    closest: Callable[[str, str], list[str]] | None = None  # (kind, mention) → visible names
