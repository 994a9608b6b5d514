"""Korean period expressions in a question → date ranges, relative to the turn's today.

Only the `today` passed in counts (never the clock), so a turn is reproducible. Conventions:

- A period that contains today ends at today ("to date"): 이번 달 on 2026-11-20 is
  2026-11-01..2026-11-20, 올해 하반기 is 2026-07-01..2026-11-20.
- A period entirely after today (다음 달, 내년, 2030년, 올해 하반기 in April) raises
  `PeriodError` saying it has not come yet; impossible ones (13월, 2월 30일, 5분기) too.
- Rolling windows count back from today inclusive: 최근 N일 = today-(N-1)..today, 최근 N주 =
  the last 7N days, 최근 N개월 = (today - N months) + 1 day..today (최근 3개월 on
  2026-11-20 = 2026-08-21..2026-11-20; 2024-02-29 - 12 months is 2023-02-28), 최근 N년 =
  12N months. 지난 N개월 is the same; 지난달 is the calendar month.
- A month, quarter, half or date written without a year is the latest one that has begun:
  on 2026-11-20, 5월 is 2026-05 and 12월 is 2025-12; on 2026-04-01, 하반기 is 2025's. 지난
  3월 is the latest March already over. `N일` alone is a day of the current month (or the
  previous one when N is past today) only before 기준/자/현재, or in a range; otherwise it is
  read as a count (연차 15일).
- Ranges (3월~5월, 2025년 3월부터 6월까지, 10월 1일부터 15일까지) share what one end
  leaves out; without a year they are placed so that the end is the latest one begun. `A부터`,
  `A 이후` (Korean 이후 includes A) and `A부터 지금까지` run from A to today. In a list
  (2025년 10월과 11월) a bare month takes the year of the period before it.
- A future period that is only a destination ("다음 해로 이월", "내년으로 넘길 수 있어?") is
  not a period asked about and is left out rather than raised.
- Numbers that are counts are not periods: 근속 5년, 1년 지난 직원 (a year needs four digits,
  or two before 월/분기/도), 3일 이내, 30분, 3개, codes like SO2611015700.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from dari.chat.router.periods_lexicon import WIDTH, Spec, Token, tokens
from dari.chat.router.periods_resolve import PeriodError, resolve

__all__ = ["Period", "PeriodError", "find_period", "find_periods", "strip_periods"]


@dataclass(frozen=True)
class Period:
    """A period said in a question; `end` never passes the turn's today."""

    start: date  # inclusive
    end: date  # inclusive; a period containing today ends at today ("to date")
    label: str  # Korean, for answers: "2026년 11월", "2026년 1월 1일~11월 20일"
    text: str  # the matched expression as written in the question
    span: tuple[int, int]  # [start, end) character offsets in the question
    single_day: bool  # a point in time (어제, 11월 20일): used for "as of" arguments


@dataclass(frozen=True)
class _Expr:
    start: int
    end: int
    first: Spec
    last: Spec | None = None  # the end of a range
    open_end: bool = False  # "3월부터": to today


_GAP = re.compile(r"\s{0,2}")
_SEP = re.compile(r"\s?(부터|에서)\s?|\s?([~-])\s?")
_NOW = re.compile(r"(?:지금|현재|오늘|금일|현\s?시점)(?:\s?까지)?")
_UNTIL = re.compile(r"\s?까지")
_OPEN = re.compile(r"\s?(?:이후|이래)")
_NOW_AFTER = re.compile(r"\s?(?:지금|현재|오늘)\s?까지")
_SUFFIX = re.compile(r"\s?한\s?(?:달|해)(?:\s?(?:간|동안))?|\s?들어(?:서)?(?![가-힣])")
_CUE = re.compile(r"\s?(?:기준|현재|시점|자(?![가-힣])|자로|자에|자의)")
_AND = re.compile(r"\s?(?:과|와|이랑|랑|하고|및|,|/)\s?")
_DESTINATION = re.compile(r"(?:으로|로)(?![가-힣])|(?:으로|로)(?:는|도|의)")
_PARTICLE_AFTER = re.compile(
    r"(?:에서는|에서|에는|에도|에|의|은|는|도|와|과|이랑|랑|하고|부터|까지의|까지|동안|간)(?![가-힣])"
)


def _bottom(spec: Spec) -> str:
    for name in ("part", "day", "month", "quarter", "half", "year"):
        if getattr(spec, name) is not None:
            return name
    return "past" if spec.strict_past else ""


def _top(spec: Spec) -> str:
    for name in ("year", "half", "quarter", "month", "day", "part"):
        if getattr(spec, name) is not None:
            return name
    return ""


def _merge(spec: Spec, extra: Spec) -> Spec:
    fields = {k: v for k, v in vars(extra).items() if v is not None and k in _FIELDS}
    return replace(spec, **fields, single=extra.single)


_FIELDS = ("half", "quarter", "month", "day", "part")


def _attach(spec: Spec, tok: Token) -> Spec | tuple[Spec, Spec] | None:
    """`spec` followed by `tok` as one expression (작년 + 3월), or None."""
    bottom = _bottom(spec)
    if spec.fixed is not None or tok.spec.fixed is not None or tok.spec.year is not None:
        return None
    if tok.pair is not None:
        if (tok.unit != "일" and bottom == "year") or (tok.unit == "일" and bottom == "month"):
            return _merge(spec, tok.pair[0]), _merge(spec, tok.pair[1])
        return None
    top = _top(tok.spec)
    if bottom in ("year", "past") and top in ("half", "quarter", "month"):
        return _merge(spec, tok.spec)
    if bottom == "month" and top in ("day", "part"):
        return _merge(spec, tok.spec)
    return None


def _chain(text: str, toks: list[Token], i: int) -> tuple[_Expr, int, str]:
    """The longest expression from token `i`: (expression, next token, its `Token.alone`)."""
    head = toks[i]
    spec: Spec | tuple[Spec, Spec] = head.pair or head.spec
    end, j = head.end, i + 1
    while j < len(toks) and isinstance(spec, Spec) and _GAP.fullmatch(text, end, toks[j].start):
        merged = _attach(spec, toks[j])
        if merged is None:
            break
        spec, end, j = merged, toks[j].end, j + 1
    # A chain of several words is a period even if its head alone is not (2025 + 3분기).
    alone = head.alone if j == i + 1 else "ok"
    if isinstance(spec, Spec):
        return _Expr(head.start, end, spec), j, alone
    return _Expr(head.start, end, spec[0], spec[1]), j, alone


def _inherit_year(text: str, before: _Expr, expr: _Expr) -> _Expr:
    """ "2025년 10월과 11월": a bare month after a list word takes the year before it."""
    year = (before.last or before.first).year
    spec = expr.first
    if year is None or spec.year is not None or spec.fixed is not None:
        return expr
    if _top(spec) in ("half", "quarter", "month") and _AND.fullmatch(text, before.end, expr.start):
        return replace(expr, first=replace(spec, year=year))
    return expr


def _scan(text: str, today: date) -> list[_Expr]:
    """Period expressions of `text`, not yet checked or resolved."""
    text = text.translate(WIDTH)
    toks = tokens(text, today)
    found: list[_Expr] = []
    i = 0
    while i < len(toks):
        expr, i, alone = _chain(text, toks, i)
        if alone == "drop":
            continue
        single = expr.last is None
        suffix = _SUFFIX.match(text, expr.end) if single else None
        if suffix:
            expr = replace(expr, end=suffix.end())
        sep = _SEP.match(text, expr.end) if single else None
        now = _NOW.match(text, sep.end()) if sep else _NOW_AFTER.match(text, expr.end)
        if sep is None and now is None and single:
            now = _OPEN.match(text, expr.end)
        if now:  # "3월부터 지금까지", "3월 이후": to today
            expr, alone = replace(expr, end=now.end(), open_end=True), "ok"
            while i < len(toks) and toks[i].start < now.end():
                i += 1
        elif sep:
            nxt = _chain(text, toks, i) if i < len(toks) and toks[i].start == sep.end() else None
            until = _UNTIL.match(text, nxt[0].end) if nxt else None
            if nxt and nxt[2] != "drop" and (until or sep.group(1) != "에서"):
                last = nxt[0].last or nxt[0].first
                expr = replace(expr, end=until.end() if until else nxt[0].end, last=last)
                i, alone = nxt[1], "ok"
            elif sep.group(1) == "부터" or sep.group(2) == "~":
                word_end = sep.end(1) if sep.group(1) else sep.end(2)
                expr = replace(expr, end=word_end, open_end=True)
        if alone == "cue" and not _CUE.match(text, expr.end):
            continue  # "연차 15일": a count of days, not a date
        if found and single and not expr.open_end:
            expr = _inherit_year(text, found[-1], expr)
        found.append(expr)
    return found


def _period(expr: _Expr, today: date, text: str) -> Period:
    written = text[expr.start : expr.end]
    start, end, words, single = resolve(expr.first, expr.last, expr.open_end, written, today)
    return Period(start, end, words, written, (expr.start, expr.end), single)


def find_periods(text: str, today: date) -> list[Period]:
    """All periods in `text`, in order and not overlapping ("10월과 11월 비교" → two).

    Raises `PeriodError` for the first impossible or entirely future one. A future period
    that is only where something goes ("다음 해로 이월", "내년으로 넘길 수 있어?") is not a
    period asked about: it is left out instead.
    """
    found = []
    for expr in _scan(text, today):
        try:
            found.append(_period(expr, today, text))
        except PeriodError as exc:
            if not (exc.future and _DESTINATION.match(text, expr.end)):
                raise
    return found


def find_period(text: str, today: date) -> Period | None:
    """The first period in `text`; a written-out combination is one period, so "작년 3월"
    gives March of last year, not last year. Raises `PeriodError` like `find_periods`."""
    periods = find_periods(text, today)
    return periods[0] if periods else None


def strip_periods(text: str, today: date) -> str:
    """`text` without its period expressions and the particle attached to each (for entity
    matching: "지난달에 한빛상사 매출" → "한빛상사 매출"). Never raises: an impossible
    period is removed like any other."""
    out, last = [], 0
    for expr in _scan(text, today):
        out.append(text[last : expr.start])
        particle = _PARTICLE_AFTER.match(text, expr.end)
        last = particle.end() if particle else expr.end
    out.append(text[last:])
    return re.sub(r"\s+", " ", "".join(out)).strip()
