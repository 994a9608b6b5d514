"""Job ranks as a ladder: "과장 이하" holds 대리, "차장 이상" does not hold 과장.

Korean rules state many limits by rank range ("과장 이하 60 USD", "부장급 이상 비즈니스석");
a question names one rank ("나 대리인데 해외 출장 일비 얼마야?"). Word matching cannot see
that 대리 falls under "과장 이하"; this compares positions on the ladder, the way
`evidence_query.range_fit` compares quantities with stated ranges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

LADDER = ("사원", "주임", "대리", "과장", "차장", "부장", "임원")
_ALIASES = {"이사": "임원", "상무": "임원", "전무": "임원", "사장": "임원", "신입": "사원"}
_RANK = "|".join([*LADDER, *_ALIASES])
_BOUND = re.compile(rf"({_RANK})\s*(?:급)?\s*(이하|이상|미만|초과)")


def _position(word: str) -> int:
    return LADDER.index(_ALIASES.get(word, word))


def ranks_of(morphemes: Iterable[str]) -> tuple[int, ...]:
    """Ladder positions of the ranks among a question's morphemes (대리 → 2; Kiwi keeps
    대리점 whole, so a dealer is no rank)."""
    return tuple(dict.fromkeys(_position(m) for m in morphemes if m in LADDER or m in _ALIASES))


def rank_fit(asked: tuple[int, ...], text: str) -> float:
    """+1 when every asked rank lies inside every rank range `text` states, -1 when one lies
    outside, 0 when `text` states no rank range."""
    bounds = [(_position(m.group(1)), m.group(2)) for m in _BOUND.finditer(text)]
    if not asked or not bounds:
        return 0.0
    for rank in asked:
        for position, comparator in bounds:
            inside = {
                "이하": rank <= position,
                "미만": rank < position,
                "이상": rank >= position,
                "초과": rank > position,
            }[comparator]
            if not inside:
                return -1.0
    return 1.0


def rank_named(asked: tuple[int, ...], key: str) -> bool:
    """Whether a row key ("임원", "부장·차장") names an asked rank by its ladder name: a
    question about 상무 or 이사 finds the 임원 row, one about 신입 the 사원 row."""
    return any(LADDER[rank] in key for rank in asked)
