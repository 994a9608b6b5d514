"""Tool arguments from the question, by code: periods, entities, codes, counts and options.

Each parameter of a catalog tool is filled from what its JSON Schema says it is:
- `format: date` named `date_from`/`date_to` — the period in the question (`이번 달`…);
- another `format: date` (`as_of`) — the end of that period, or the turn's today;
- `entity: <kind>` — an ERP entity the user may see, linked from the question (code bound,
  name kept for the answer);
- `pattern` — a code of that shape in the question (`SO2611012345`);
- `enum` — a value written in the question (`부분출하`), or `group_by` words (`일별`);
- integers: a year (`year`), a rank (`top`: "상위 3", "가장" → 1) or a row cap (`limit`:
  the schema's maximum, so counts and sums see every row).
Nothing here guesses: a required value that is not in the question (or in the previous turn
for a follow-up) becomes a clarifying question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dari.chat.router.periods import Period

_TOP = re.compile(
    r"(?:상위|top|탑|베스트)\s*(\d{1,2})|(\d{1,2})\s*(?:위|등|개|곳|군데|개사|명)(?![월년일])", re.I
)
_FIRST = re.compile(
    r"(?:가장|제일|최고|최대|1위|일위|1등|일등|첫\s*번째|넘버원|톱|No\.?\s*1)", re.I
)
# A state said after a value ("발주 상태", "발주 건", "발주된", "발주 중인"): each word whole,
# alone or with a particle, never the first syllable of a longer word — 건수/건별/건당 are a
# count, 상태별 a grouping, 중에(서) "among", 인원/인기 and 처리량 other words.
_PARTICLE = r"(?:이|가|은|는|을|를|의|에|로|으로|만|도|들|인|인지|인가|이야|야|이고)?"
_WORD_END = r"(?![가-힣])"
_STATE_WORD = re.compile(
    r"^\s*(?:"
    rf"상태{_PARTICLE}{_WORD_END}"
    rf"|건(?!\s*(?:수|별|당)){_PARTICLE}{_WORD_END}"
    rf"|중(?:인|이|인지|인가|이야|이에요|입니다){_WORD_END}|중{_WORD_END}"
    rf"|처리(?:\s*(?:되|된|됐|돼|중|완료)|{_PARTICLE}{_WORD_END})"
    rf"|인(?:지|가|데)?{_WORD_END}"
    r"|된|됐)"
)
_DAILY = re.compile(r"(?:일별|일자별|날짜별|매일|하루하루|일 단위)")
_MONTHLY = re.compile(r"(?:월별|달별|매월|월 단위|월마다)")
_OWN_DEPT = re.compile(r"(?:우리|저희|내|제)\s*(?:팀|부서|본부|파트)")
_TEAM_ONLY = re.compile(r"^\s*(\d)\s*팀")


@dataclass
class Mentioned:
    """An entity linked in the question: `visible` if the user may see it."""

    kind: str
    code: str
    name: str
    start: int
    end: int
    visible: bool = True
    ties: list[tuple[str, str]] = field(default_factory=list)  # (code, name) equally good
    # A code-like word no entity the user may see has (`router.codes`): another team's and a
    # missing code alike, so `code` is empty and `name` is the word; `kind` is the first of
    # `code_shape.kinds`.
    code_shape: CodeShape | None = None


@dataclass(frozen=True)
class CodeShape:
    """What the ERP holds of one code shape (`S###`): the kinds its codes are, most first,
    and per kind the nearest codes the user may see, as a suggestion reads them."""

    kinds: tuple[str, ...]
    near: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class ArgumentResult:
    """Arguments for one tool, the words for the answer, and what stops the call."""

    arguments: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # Korean descriptions of missing values
    ambiguous: Mentioned | None = None
    hidden: Mentioned | None = None  # an entity the user may not see


def _describe(name: str, spec: Mapping[str, Any]) -> str:
    description = str(spec.get("description") or name)
    return re.sub(r"\s*\(.*?\)\s*$", "", description) or name


def _range_period(periods: Sequence[Period]) -> Period | None:
    ranges = [p for p in periods if not p.single_day] or list(periods)
    if not ranges:
        return None
    if len(ranges) == 1:
        return ranges[0]
    # "10월과 11월" / "작년 3분기랑 올해 3분기": one call over the whole span; the rows are
    # grouped by month so both halves stay visible.
    start = min(p.start for p in ranges)
    end = max(p.end for p in ranges)
    label = "~".join(p.label for p in (ranges[0], ranges[-1]))
    return Period(start, end, label, ranges[0].text, ranges[0].span, False)


def fill(
    parameters: Mapping[str, Any],
    question: str,
    *,
    today: date,
    periods: Sequence[Period],
    mentions: Sequence[Mentioned],
    attributes: Mapping[str, str],
    previous: Mapping[str, Any] | None = None,
    previous_labels: Mapping[str, str] | None = None,
    topic: str = "",
) -> ArgumentResult:
    """Arguments for a tool with JSON Schema `parameters`, from the question.

    `previous` holds the arguments of the previous turn's call when this turn follows up on
    it: a parameter the question does not set keeps its previous value.
    """
    result = ArgumentResult()
    properties: Mapping[str, Any] = parameters.get("properties") or {}
    required = set(parameters.get("required") or [])
    previous = previous or {}
    previous_labels = previous_labels or {}
    period = _range_period(periods)
    upper = question.upper()
    # Counts and ranks are read from the question without its periods ("최근 3개월").
    plain = question
    for p in sorted(periods, key=lambda p: -p.span[0]):
        plain = plain[: p.span[0]] + " " + plain[p.span[1] :]

    def inherit(name: str, *label_keys: str) -> bool:
        if previous.get(name) is None:
            return False
        result.arguments[name] = previous[name]
        for key in label_keys or (name,):
            if key in previous_labels:
                result.labels[key] = previous_labels[key]
        return True

    for name, spec in properties.items():
        spec = spec if isinstance(spec, Mapping) else {}
        kind = spec.get("entity")
        if spec.get("format") == "date" and name in ("date_from", "date_to"):
            if period is not None:
                value = period.start if name == "date_from" else period.end
                result.arguments[name] = value.isoformat()
                result.labels["period"] = period.label
            elif not inherit(name, "period") and name in required:
                # No period said: this month so far, and the answer says so.
                first = today.replace(day=1)
                value = first if name == "date_from" else today
                result.arguments[name] = value.isoformat()
                result.labels["period"] = f"{today.year}년 {today.month}월({today.day}일까지)"
        elif spec.get("format") == "date":
            points = [p for p in periods if p.single_day] or list(periods)
            if points:
                result.arguments[name] = points[-1].end.isoformat()
                result.labels["as_of"] = _day_label(points[-1].end)
            elif not inherit(name, "as_of"):
                result.arguments[name] = today.isoformat()
                result.labels["as_of"] = f"오늘({_day_label(today)})"
        elif kind:
            _entity_argument(result, name, str(kind), mentions, question, attributes)
            said = any(m.kind == kind for m in mentions) or name in result.labels
            # A follow-up keeps the entity it does not replace ("입고 예정은?" after B101).
            inherited = name in result.arguments or (not said and inherit(name))
            if not inherited and name in required:
                result.missing.append(_describe(name, spec))
        elif spec.get("pattern") and spec.get("type") == "string":
            pattern = str(spec["pattern"]).lstrip("^").rstrip("$")
            found = re.search(rf"(?<![A-Z0-9]){pattern}(?![A-Z0-9])", upper)
            if found:
                result.arguments[name] = found.group(0)
                result.labels[name] = found.group(0)
            elif not inherit(name) and name in required:
                result.missing.append(_describe(name, spec))
        elif spec.get("enum") and spec.get("type") == "string":
            values = [str(v) for v in spec["enum"]]
            chosen = _enum_value(name, values, question, topic)
            if chosen is not None:
                result.arguments[name] = chosen
                result.labels[name] = chosen
            elif not inherit(name) and name in required and spec.get("default") is None:
                result.missing.append(_describe(name, spec))
        elif spec.get("type") == "integer":
            _integer_argument(result, name, spec, plain, period, today, inherit)
        elif name in required and not inherit(name):
            result.missing.append(_describe(name, spec))
    return result


def _day_label(day: date) -> str:
    return f"{day.year}년 {day.month}월 {day.day}일"


def _enum_value(name: str, values: Sequence[str], question: str, topic: str) -> str | None:
    if set(values) >= {"month", "day"}:
        if _DAILY.search(question):
            return "day"
        return "month" if _MONTHLY.search(question) else None
    hits = []
    for value in values:
        for found in re.finditer(re.escape(value), question):
            # A state named like the thing itself ("발주" of 발주 현황) counts only when said
            # as a state: "발주 상태", "취소된".
            if value == topic and not _STATE_WORD.match(question[found.end() :]):
                continue
            hits.append(value)
    # The longest written value wins ("부분출하" over "출하").
    return max(hits, key=len) if hits else None


def _integer_argument(
    result: ArgumentResult,
    name: str,
    spec: Mapping[str, Any],
    question: str,
    period: Period | None,
    today: date,
    inherit: Any,
) -> None:
    minimum = spec.get("minimum")
    if name == "year" or (isinstance(minimum, int) and minimum >= 1900):
        if period is not None:
            result.arguments[name] = period.start.year
            result.labels[name] = f"{period.start.year}년"
        elif not inherit(name):
            result.arguments[name] = today.year
            result.labels[name] = f"{today.year}년"
        return
    maximum = spec.get("maximum")
    if name == "limit":
        result.arguments[name] = maximum if isinstance(maximum, int) else spec.get("default")
        return
    match = _TOP.search(question)
    if match:
        value = int(match.group(1) or match.group(2))
    elif _FIRST.search(question):
        value = 1
    else:
        if not inherit(name):
            default = spec.get("default")
            if default is not None:
                result.arguments[name] = default
        return
    if isinstance(maximum, int):
        value = min(value, maximum)
    if isinstance(minimum, int):
        value = max(value, minimum)
    result.arguments[name] = value
    result.labels[name] = str(value)


def _entity_argument(
    result: ArgumentResult,
    name: str,
    kind: str,
    mentions: Sequence[Mentioned],
    question: str,
    attributes: Mapping[str, str],
) -> None:
    if kind == "department" and _OWN_DEPT.search(question):
        code = attributes.get("department_code")
        if code:
            result.arguments[name] = code
            result.labels[name] = "우리 부서"
            return
    mine = {m.code: m.name for m in mentions if m.kind == kind and m.visible and not m.ties}
    if len(mine) >= 2:
        # "영업1팀과 영업2팀 비교": both are wanted, so no filter; the rows hold each of them.
        result.labels[name] = "·".join(mine.values())
        return
    for mention in mentions:
        if mention.kind != kind:
            continue
        if not mention.visible:
            result.hidden = result.hidden or mention
            continue
        if mention.ties:
            result.ambiguous = result.ambiguous or mention
            continue
        result.arguments[name] = mention.code
        result.labels[name] = mention.name
        return
