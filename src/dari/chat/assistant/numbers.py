"""Numeric facts in Korean text, normalised so that an answer can be compared with its sources.

"11만 원", "110,000원" and "110000" are one amount; "6월 30일", "6/30" and "06-30" one date;
"14:00", "14시" and "오후 2시" one time; "8%", "8 %" and "8퍼센트" one percentage. A year
("2026년") is a year, never the amount 2,026. Alphanumeric codes (H107, PO261002032) and
digit-dash identifiers (010-1234-5678) are not numbers: `codes_in` returns them as strings.
Citation marks, list markers ("1.") and ranks ("1위") are not facts and are skipped.

Only digits are read: Korean number words ("십오") are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from dari.chat.assistant.marks import CITATION

Kind = Literal["number", "percent", "date", "time", "year"]
ONE = Decimal(1)
DateFields = tuple[int | None, int | None, int | None]
NO_DATE: DateFields = (None, None, None)


@dataclass(frozen=True)
class Quantity:
    """One numeric fact: its kind, its value and the precision the text states it to."""

    kind: Kind
    value: Decimal  # number/percent/year: the value (signed); time: minutes after midnight
    text: str  # as written
    scale: Decimal = ONE  # the smallest unit stated: 10,000 for "11만", 0.1 for "1.5"
    approx: bool = False  # "약 …": the text may round to `scale`
    date: DateFields = NO_DATE  # (year, month, day)
    half_day: bool = False  # a time without 오전/오후 at 1–12 h may also mean 12 h later


_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# A minus sign only where it cannot be a range or date dash ("10-20", "06-30").
_SIGN = r"(?P<sign>(?<![\w)\].,])[-−–](?=\d)|[△▲▼]\s?|마이너스\s?)?"
_MARK = CITATION
_LIST = re.compile(r"(?m)^[ \t>*•\-]*(?:\(\d{1,2}\)|\d{1,2}[.)])(?=\s)")
_RANK = re.compile(r"\d+\s?(?:위|번째|순위)")
# Codes end where ASCII letters, digits and dashes end: Hangul is `\w` too, and a Korean
# particle or word glued to a code ("438-12-72990입니다", "번호010-1234-5678") is not part of it.
_CODE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*(?:[-_./][A-Za-z0-9]+)*"
    r"|(?<![A-Za-z0-9_-])\d+(?:-\d+){2,}(?![A-Za-z0-9_-])"
)
_ISO = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20|21)\d\d)\s?([-./])\s?(?P<m>\d{1,2})\s?\2\s?(?P<d>\d{1,2})(?![\d])"
)
_YEAR_MONTH = re.compile(r"(?<![\d.])(?P<y>(?:19|20|21)\d\d)[-./](?P<m>\d{1,2})(?![\d.])")
_KO_DATE = re.compile(
    r"(?<![\d.])(?:(?P<y>\d{4})\s?년\s?)?(?<![\d.])(?P<m>\d{1,2})\s?월(?:\s?(?P<d>\d{1,2})\s?일)?"
)
_SLASH = re.compile(r"(?<![\d/.])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/])")
_DASH = re.compile(r"(?<![\d\-./])(?P<m>\d{2})-(?P<d>\d{2})(?![\d\-])")
_YEAR = re.compile(r"(?<![\d.,])(?P<y>(?:19|20|21)\d\d)\s?년(?:도)?")
_HALF = r"(?:(?P<half>오전|오후|낮|저녁|밤|새벽|아침)\s?)?"
_CLOCK = re.compile(_HALF + r"(?<![\d:.,])(?P<h>\d{1,2}):(?P<mi>\d{2})(?::\d{2})?(?![\d:])")
# "시간" is a duration ("2시간"), not a time of day.
_HOUR = re.compile(
    _HALF + r"(?<![\d.,])(?P<h>\d{1,2})\s?시(?!간)(?:\s?(?P<mi>\d{1,2})\s?분|\s?(?P<thirty>반))?"
)
_PERCENT = re.compile(_SIGN + rf"(?<![\d.,])(?P<n>{_NUM})\s?(?:%|퍼센트|프로(?!젝))(?:p|포인트)?")
_UNITS = {"조": 10**12, "억": 10**8, "만": 10**4, "천": 1000, "백": 100}
_UNIT = r"(?:조|억|만(?!큼)|천|백)"
_AMOUNT = re.compile(
    _SIGN
    + rf"(?<![\d.,])(?P<n>{_NUM}\s?{_UNIT}(?:\s?(?:{_NUM}\s?)?{_UNIT})*(?:\s?{_NUM}(?=\s?원))?)"
)
_AMOUNT_PART = re.compile(rf"(?P<n>{_NUM})?\s?(?P<u>조|억|만|천|백)|(?P<tail>{_NUM})")
_PLAIN = re.compile(_SIGN + rf"(?<![\d.,])(?P<n>{_NUM})")
_APPROX = re.compile(r"(?:약|대략|about|approximately)\s?$", re.IGNORECASE)
_HEDGE = re.compile(r"약|대략|about|approx", re.IGNORECASE)


def _decimal(digits: str) -> tuple[Decimal, Decimal]:
    """The value of "1,234.5" and the scale of its last digit (0.1)."""
    _, _, fraction = digits.partition(".")
    return Decimal(digits.replace(",", "")), Decimal(1).scaleb(-len(fraction))


def _signed(match: re.Match[str], value: Decimal) -> Decimal:
    sign = (match.group("sign") or "").strip()
    return -value if sign in ("-", "−", "–", "△", "▼", "마이너스") else value


def _amount(phrase: str) -> tuple[Decimal, Decimal]:
    """ "34억 4,437만" → (3444370000, 10000): big units close a group of 천/백 parts."""
    total, group, last, scale = Decimal(0), Decimal(0), ONE, ONE
    for part in _AMOUNT_PART.finditer(phrase):
        digits, unit = part.group("n") or part.group("tail"), part.group("u")
        number, last_digit = _decimal(digits) if digits else (Decimal(0), ONE)
        if unit in ("천", "백"):
            group += number * _UNITS[unit]
            last = last_digit * _UNITS[unit]
        elif unit:
            group += number
            if digits:
                last = last_digit
            total, scale, group = total + group * _UNITS[unit], last * _UNITS[unit], Decimal(0)
        else:
            group += number
            scale = last_digit
    return total + group, scale


def _date(y: str | None, m: str | None, d: str | None) -> DateFields | None:
    month, day = (int(m) if m else None), (int(d) if d else None)
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    return (int(y) if y else None, month, day)


def _time(match: re.Match[str]) -> Quantity | None:
    hour, half = int(match.group("h")), match.group("half")
    minute = int(match.group("mi") or 0) + (30 if match.groupdict().get("thirty") else 0)
    if hour > 24 or minute >= 60:
        return None
    if (half in ("오후", "저녁", "밤") and hour < 12) or (half == "낮" and hour < 7):
        hour += 12
    elif half in ("오전", "새벽", "아침") and hour == 12:
        hour = 0
    return Quantity(
        "time",
        Decimal(hour * 60 + minute),
        match.group(0).strip(),
        half_day=half is None and 1 <= hour <= 12,
    )


Found = list[tuple[int, Quantity]]


def _take(
    pattern: re.Pattern[str],
    text: str,
    build: Callable[[re.Match[str]], Quantity | None],
    out: Found,
) -> str:
    """Record every match `build` accepts and blank it out so later patterns skip it."""

    def replace(match: re.Match[str]) -> str:
        quantity = build(match)
        if quantity is None:
            return match.group(0)
        out.append((match.start(), quantity))
        return " " * len(match.group(0))

    return pattern.sub(replace, text)


def _blank(pattern: re.Pattern[str], text: str, out: list[str] | None = None) -> str:
    def replace(match: re.Match[str]) -> str:
        if out is not None:
            out.append(match.group(0))
        return " " * len(match.group(0))

    return pattern.sub(replace, text)


def _dated(match: re.Match[str]) -> Quantity | None:
    groups = match.groupdict()
    date = _date(groups.get("y"), groups.get("m"), groups.get("d"))
    return None if date is None else Quantity("date", Decimal(0), match.group(0), date=date)


def _year(match: re.Match[str]) -> Quantity:
    return Quantity("year", Decimal(match.group("y")), match.group(0))


def _percent(match: re.Match[str]) -> Quantity:
    value, scale = _decimal(match.group("n"))
    return Quantity("percent", _signed(match, value), match.group(0), scale)


def _has(text: str, *markers: str) -> bool:
    return any(marker in text for marker in markers)


_HAS_CODE = re.compile(r"[A-Za-z]|\d-\d+-")
_PASSES: list[
    tuple[re.Pattern[str], Callable[[re.Match[str]], Quantity | None], tuple[str, ...]]
] = [
    (_KO_DATE, _dated, ("월",)),
    (_YEAR_MONTH, _dated, ("-", ".", "/")),
    (_SLASH, _dated, ("/",)),
    (_DASH, _dated, ("-",)),
    (_YEAR, _year, ("년",)),
    (_CLOCK, _time, (":",)),
    (_HOUR, _time, ("시",)),
    (_PERCENT, _percent, ("%", "퍼센트", "프로")),
]


def _approx(text: str, start: int) -> bool:
    return bool(_APPROX.search(text[max(0, start - 14) : start]))


@lru_cache(maxsize=512)
def scan(text: str) -> tuple[tuple[Quantity, ...], tuple[str, ...]]:
    """The numeric facts and the codes in `text`, in order (cached: sources are read often)."""
    found: Found = []
    codes: list[str] = []
    work = _blank(_MARK, text)
    work = _blank(_LIST, work)
    if _has(work, "위", "번째"):
        work = _blank(_RANK, work)
    dashed = _has(work, "-", ".", "/")
    if dashed:
        work = _take(_ISO, work, _dated, found)
    if _HAS_CODE.search(work):
        work = _blank(_CODE, work, codes)
    # Each pass runs only when its marker character is there: sources are long and most
    # passes find nothing in most of them.
    for pattern, build, markers in _PASSES:
        if (pattern is _YEAR_MONTH and not dashed) or not _has(work, *markers):
            continue
        work = _take(pattern, work, build, found)

    hedged = bool(_HEDGE.search(text))  # most texts never hedge a number: skip the look-behind

    def amount(match: re.Match[str]) -> Quantity:
        value, scale = _amount(match.group("n"))
        approx = hedged and _approx(text, match.start())
        return Quantity("number", _signed(match, value), match.group(0), scale, approx)

    def plain(match: re.Match[str]) -> Quantity:
        value, scale = _decimal(match.group("n"))
        approx = hedged and _approx(text, match.start())
        if approx and scale == ONE and value:
            # "약 3,444,000,000": trailing zeros state the unit the text rounds to.
            digits = match.group("n").replace(",", "")
            scale = Decimal(10) ** (len(digits) - len(digits.rstrip("0")))
        return Quantity("number", _signed(match, value), match.group(0), scale, approx)

    if _has(work, *_UNITS):
        work = _take(_AMOUNT, work, amount, found)
    _take(_PLAIN, work, plain, found)
    found.sort(key=lambda item: item[0])
    return tuple(q for _, q in found), tuple(codes)


def numbers_in(text: str) -> list[Quantity]:
    """The normalised numeric facts in `text`: amounts, counts, percentages, dates, times, years."""
    return list(scan(text)[0])


def codes_in(text: str) -> list[str]:
    """Alphanumeric codes and digit-dash identifiers in `text`, as written."""
    return list(scan(text)[1])
