"""What a text states, indexed so that an answer's figure can be looked up in it.

`Facts.admits` is the matching rule: amounts, counts and percentages by value (unsigned: "5% 감소"
states -5%), and an answer may round to the unit it states ("34억 원" for 3,444,378,066:
truncated or rounded to 억); a bare count may also be a date's day ("30일" in "6월 30일"),
and four bare digits a year ("2026 회계연도", never "2,026원"); dates field by field (a year
only where both give one, else the year must be known); times by minute (a time without
오전/오후 also 12 h later).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache

from dari.chat.assistant.numbers import ONE, Quantity, scan


def _near(value: Decimal, scale: Decimal) -> tuple[Decimal, Decimal]:
    """`value` truncated and rounded to a multiple of `scale`."""
    steps = value / scale
    return (
        steps.to_integral_value(ROUND_DOWN) * scale,
        steps.to_integral_value(ROUND_HALF_UP) * scale,
    )


def _minutes(quantity: Quantity) -> set[int]:
    minutes = int(quantity.value)
    return {minutes, minutes + 12 * 60} if quantity.half_day else {minutes}


def _bare_year(q: Quantity) -> bool:
    return q.text.isdigit() and len(q.text) == 4 and 1900 <= int(q.text) <= 2199


class Facts:
    """The numeric facts of one text (a source or the question), indexed for `admits`."""

    def __init__(self, quantities: tuple[Quantity, ...]) -> None:
        self.values: set[Decimal] = set()  # numbers and percentages, unsigned
        # A date's day: "30일" may be "6월 30일"'s. Not months or hours: "18일" is no "18:00".
        self.days: set[Decimal] = set()
        self.dates: set[tuple[int | None, int | None, int | None]] = set()
        self.times: set[int] = set()
        self.years: set[int] = set()
        self._near: dict[Decimal, set[Decimal]] = {}
        for q in quantities:
            if q.kind in ("number", "percent"):
                self.values.add(abs(q.value))
            elif q.kind == "year":
                self.years.add(int(q.value))
            elif q.kind == "date":
                self.dates.add(q.date)
                if q.date[2] is not None:
                    self.days.add(Decimal(q.date[2]))
                if q.date[0] is not None:
                    self.years.add(q.date[0])
            else:
                self.times.update(_minutes(q))
        # Years stated, and integers that could be a year (an ERP cell may show 2,026).
        self.year_like = frozenset(
            self.years
            | {int(v) for v in self.values if 1900 <= v <= 2199 and v == v.to_integral_value()}
        )

    def near(self, scale: Decimal) -> set[Decimal]:
        """Every value truncated and rounded to `scale` (computed once per scale)."""
        if scale not in self._near:
            self._near[scale] = {n for v in self.values for n in _near(v, scale)}
        return self._near[scale]

    def admits(self, q: Quantity, known_years: set[int]) -> bool:
        """Whether this text states `q` (an answer may round to the unit it states)."""
        value = abs(q.value)
        if q.kind in ("number", "percent"):
            if value in self.values or (q.kind == "number" and value in self.days):
                return True
            if q.kind == "number" and _bare_year(q) and int(value) in known_years | self.year_like:
                return True  # "2026 회계연도"; but "2,026원" is an amount, never a year
            return (q.scale != ONE or q.approx) and value in self.near(q.scale)
        if q.kind == "year":
            return int(value) in known_years or int(value) in self.year_like
        if q.kind == "time":
            return bool(_minutes(q) & self.times)
        year, month, day = q.date
        for y, m, d in self.dates:
            if (month is not None and m != month) or (day is not None and d != day):
                continue
            if year is None or y == year or (y is None and year in known_years):
                return True
        return False


@lru_cache(maxsize=512)
def facts_of(text: str) -> Facts:
    """The indexed facts of `text` (cached: every sentence of an answer checks the same sources)."""
    return Facts(scan(text)[0])
