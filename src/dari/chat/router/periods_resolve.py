"""Calendar fields of a period expression → an inclusive date range (see `periods`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from dari.chat.router.periods_dates import (
    day_label,
    label,
    month_end,
    quarter_bounds,
    shift_month,
    topic,
)
from dari.chat.router.periods_lexicon import LAST_DAY, Spec


class PeriodError(ValueError):
    """An impossible or entirely future period; `message` is a Korean sentence for the user.

    `future` tells the two apart: True when the period is possible but has not begun.
    """

    def __init__(self, message: str, *, future: bool = False):
        super().__init__(message)
        self.message = message
        self.future = future


def _check_fields(spec: Spec) -> None:
    if spec.month is not None and not 1 <= spec.month <= 12:
        raise PeriodError(f"{spec.month}월은 없는 달입니다.")
    if spec.quarter is not None and not 1 <= spec.quarter <= 4:
        q = spec.quarter
        raise PeriodError(f"{q}분기{topic(str(q) + '기')} 없는 분기입니다. 분기는 1~4분기입니다.")
    if spec.day is not None and spec.day != LAST_DAY and not 1 <= spec.day <= 31:
        raise PeriodError(f"{spec.day}일은 없는 날짜입니다.")


def _bounds(spec: Spec) -> tuple[date, date]:
    """The calendar range of a spec whose year is known."""
    if spec.fixed is not None:
        return spec.fixed
    year = spec.year
    assert year is not None
    if spec.month is not None:
        last = month_end(year, spec.month)
        if spec.day == LAST_DAY:
            return last, last
        if spec.day is not None:
            if spec.day > last.day:
                why = f"({year}년은 윤년이 아닙니다)" if spec.month == 2 and spec.day == 29 else ""
                where = f"{year}년 " if why else ""
                raise PeriodError(f"{where}{spec.month}월 {spec.day}일은 없는 날짜입니다{why}.")
            day = date(year, spec.month, spec.day)
            return day, day
        if spec.part is not None:
            first = 1 + 10 * (spec.part - 1)
            end = last if spec.part == 3 else date(year, spec.month, first + 9)
            return date(year, spec.month, first), end
        return date(year, spec.month, 1), last
    if spec.quarter is not None:
        return quarter_bounds(year, spec.quarter)
    if spec.half is not None:
        return date(year, 6 * spec.half - 5, 1), month_end(year, 6 * spec.half)
    return date(year, 1, 1), date(year, 12, 31)


def _first_day(spec: Spec) -> tuple[int, int]:
    """(month, day) where a spec without a year begins (a bare day: month 0)."""
    if spec.half is not None:
        return 6 * spec.half - 5, 1
    if spec.quarter is not None:
        return 3 * spec.quarter - 2, 1
    if spec.day is not None:
        return spec.month or 0, spec.day  # LAST_DAY sorts after every day
    return spec.month or 1, 1 + 10 * ((spec.part or 1) - 1)


def _latest(spec: Spec, today: date) -> Spec:
    """`spec` with the year (and for a bare day the month) of its latest occurrence begun."""
    if spec.fixed is not None or spec.year is not None:
        return spec
    if spec.month is None and spec.quarter is None and spec.half is None:
        # A bare day: this month, or the latest earlier month that has that day.
        year, month = today.year, today.month
        day = month_end(year, month).day if spec.day == LAST_DAY else spec.day or 1
        if day > today.day:
            year, month = shift_month(year, month, -1)
        while (spec.day or 1) != LAST_DAY and (spec.day or 1) > month_end(year, month).day:
            year, month = shift_month(year, month, -1)
        return replace(spec, year=year, month=month)
    if spec.strict_past:
        if spec.half is not None:
            last_month = 6 * spec.half
        else:
            last_month = spec.month or 3 * (spec.quarter or 4)
        over = last_month < today.month
        return replace(spec, year=today.year if over else today.year - 1)
    begun = _first_day(spec) <= (today.month, today.day)
    return replace(spec, year=today.year if begun else today.year - 1)


def _shift(spec: Spec, step: int, by_month: bool) -> Spec:
    assert spec.year is not None
    if by_month and spec.month is not None:
        year, month = shift_month(spec.year, spec.month, step)
        return replace(spec, year=year, month=month)
    return replace(spec, year=spec.year + step)


def _key(spec: Spec) -> tuple[int, int, int]:
    return (spec.year or 0, *_first_day(spec))


def _range(a: Spec, b: Spec, today: date) -> tuple[date, date]:
    """The range from `a` to `b`; each end takes from the other what it leaves out."""
    if a.fixed is None and b.fixed is None:
        # "10월 1일부터 15일까지": a day without a month is in the other end's month.
        a_by_month = a.month is None and a.day is not None and b.month is not None
        b_by_month = b.month is None and b.day is not None and a.month is not None
        if a_by_month:
            a = replace(a, month=b.month, year=b.year if a.year is None else a.year)
        if b_by_month:
            b = replace(b, month=a.month, year=a.year if b.year is None else b.year)
        if a.year is None and b.year is not None:  # "3월부터 2026년 6월까지"
            a = replace(a, year=b.year)
            if _key(a) > _key(b):
                a = _shift(a, -1, a_by_month)
        elif b.year is None:
            # The start is the latest one begun; the end follows it ("11월~2월" in January).
            a = _latest(a, today)
            if b.month is None and b.day is not None:  # "1일부터 15일까지"
                b, b_by_month = replace(b, month=a.month), True
            b = replace(b, year=a.year)
            if _key(b) < _key(a):
                b = _shift(b, 1, b_by_month)
    start, _ = _bounds(_latest(a, today))
    _, end = _bounds(_latest(b, today))
    if start > end:
        raise PeriodError(
            f"기간의 시작({day_label(start)})이 끝({day_label(end)})보다 늦습니다. "
            "시작과 끝을 확인해 주세요."
        )
    return start, end


def resolve(
    first: Spec, last: Spec | None, open_end: bool, written: str, today: date
) -> tuple[date, date, str, bool]:
    """(start, end, label, single_day) of `first` (to `last`, or to today when `open_end`).

    The end is clipped to today; raises `PeriodError` for an impossible or future period.
    """
    for spec in (first, last):
        if spec is not None:
            _check_fields(spec)
    if last is not None:
        start, end = _range(first, last, today)
    else:
        start, end = _bounds(_latest(first, today))
        if open_end:
            end = max(end, today)
    single = last is None and not open_end and first.single
    if start > end:  # "최근 0일"
        raise PeriodError(f"'{written}'{topic(written)} 기간이 될 수 없습니다.")
    if start > today:
        words = label(start, end)
        what = "날짜" if single else "기간"
        raise PeriodError(
            f"{words}{topic(words)} 아직 오지 않은 {what}입니다(오늘 {day_label(today)}).",
            future=True,
        )
    end = min(end, today)
    return start, end, day_label(start) if single else label(start, end), single
