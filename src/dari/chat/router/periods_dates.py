"""Calendar arithmetic and Korean wording for `dari.chat.router.periods` (no parsing here)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def month_end(year: int, month: int) -> date:
    """The last day of `month` in `year`."""
    return date(year, month, calendar.monthrange(year, month)[1])


def shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    """(year, month) moved by `months` (negative: back)."""
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; a day the target month lacks becomes its last day."""
    year, month = shift_month(day.year, day.month, months)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def week_start(day: date) -> date:
    """The Monday of `day`'s week (Korean business weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of `quarter` (1-4) of `year`."""
    first = 3 * quarter - 2
    return date(year, first, 1), month_end(year, first + 2)


def day_label(day: date) -> str:
    """`2026년 11월 20일`."""
    return f"{day.year}년 {day.month}월 {day.day}일"


def label(start: date, end: date) -> str:
    """Korean words for the inclusive range `start`..`end`, as short as stays exact.

    Whole calendar units get their name (`2026년`, `2026년 상반기`, `2026년 3분기`,
    `2026년 11월`, `2026년 3월~6월`); anything else is spelt out day to day, repeating
    only what changes (`2026년 11월 1일~20일`, `2026년 1월 1일~11월 20일`).
    """
    if start == end:
        return day_label(start)
    whole_months = start.day == 1 and end == month_end(end.year, end.month)
    if whole_months and start.year == end.year:
        year, first, last = start.year, start.month, end.month
        if (first, last) == (1, 12):
            return f"{year}년"
        if (first, last) in ((1, 6), (7, 12)):
            return f"{year}년 {'상' if first == 1 else '하'}반기"
        if first % 3 == 1 and last == first + 2:
            return f"{year}년 {first // 3 + 1}분기"
        if first == last:
            return f"{year}년 {first}월"
        return f"{year}년 {first}월~{last}월"
    if whole_months:
        if (start.month, end.month) == (1, 12):
            return f"{start.year}년~{end.year}년"
        return f"{start.year}년 {start.month}월~{end.year}년 {end.month}월"
    if start.year != end.year:
        return f"{day_label(start)}~{day_label(end)}"
    if start.month != end.month:
        return f"{day_label(start)}~{end.month}월 {end.day}일"
    return f"{day_label(start)}~{end.day}일"


# Final consonants of the Korean readings of 0-9 (영 일 이 삼 사 오 육 칠 팔 구).
_DIGIT_HAS_FINAL = {"0", "1", "3", "6", "7", "8"}


def topic(word: str) -> str:
    """The topic particle that follows `word`: 은 after a final consonant, else 는."""
    last = word.rstrip()[-1:] or "다"
    if "가" <= last <= "힣":
        return "은" if (ord(last) - 0xAC00) % 28 else "는"
    return "은" if last in _DIGIT_HAS_FINAL else "는"
