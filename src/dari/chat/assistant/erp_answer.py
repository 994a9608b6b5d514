"""ERP answers built from the result by code: the catalog's Korean template, filled.

The answer states what was asked (period, entity, as-of date) from the router's labels and
every figure from the rows, formatted by the column's unit (`3,444,378,066원`, `11일`;
years and codes as written, never `2,026`). Totals and counts are computed here and also
listed in `facts()`, the text the answer check compares the answer with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dari.chat.assistant.context import ToolOutcome
from dari.chat.router.plan import ToolCall

_FIELD = re.compile(r"\{([a-z_]+(?:\.[a-z_]+(?:=[^{}]+)?)?)\}")
_SPACES = re.compile(r"[ \t]{2,}")
COUNT_UNITS = {"개", "건", "일", "명", "곳", "회", "시간", "%"}


def format_value(value: Any, unit: str | None) -> str:
    """A cell as the answer writes it: amounts and counts with separators and unit."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if not unit:
        # Years, line numbers, codes: exactly as stored.
        return str(value) if isinstance(value, int) else f"{value:g}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    number = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{number}{unit}"


class _Values:
    """Placeholder values for one template: labels, row cells, totals, counts."""

    def __init__(self, outcome: ToolOutcome, labels: Mapping[str, str]) -> None:
        self.outcome = outcome
        self.labels = labels
        self.units = {c["name"]: c.get("unit") or "" for c in outcome.columns}
        self.names = [c["name"] for c in outcome.columns]

    def cell(self, row: Sequence[Any], name: str) -> str | None:
        if name not in self.names:
            return None
        return format_value(row[self.names.index(name)], self.units.get(name))

    def total(self, name: str) -> Any:
        if name not in self.names:
            return None
        index = self.names.index(name)
        values = [r[index] for r in self.outcome.rows if isinstance(r[index], int | float)]
        return sum(values) if values else None

    def resolve(self, key: str, row: Sequence[Any] | None, rank: int) -> str:
        head, _, rest = key.partition(".")
        if head == "q":
            return self.labels.get(rest, "")
        if head == "sum":
            total = self.total(rest)
            return format_value(total, self.units.get(rest)) if total is not None else "-"
        if head == "count" and rest:
            name, _, wanted = rest.partition("=")
            if name not in self.names:
                return "-"
            index = self.names.index(name)
            return str(sum(1 for r in self.outcome.rows if str(r[index]) == wanted))
        if head == "first":
            first = self.outcome.rows[0] if self.outcome.rows else None
            return (self.cell(first, rest) if first else None) or "-"
        if key == "count":
            return f"{self.outcome.row_count:,}"
        if key == "shown":
            return str(min(len(self.outcome.rows), rank))
        if key == "rank":
            return str(rank)
        if row is not None:
            value = self.cell(row, key)
            if value is not None:
                return value
        return self.labels.get(key, "")

    def fill(self, template: str, row: Sequence[Any] | None = None, rank: int = 1) -> str:
        text = _FIELD.sub(lambda m: self.resolve(m.group(1), row, rank), template)
        text = _SPACES.sub(" ", text)
        return re.sub(r"\s+([,.)])", r"\1", text).replace("( ", "(").strip()


def _generic(outcome: ToolOutcome, labels: Mapping[str, str]) -> dict[str, str]:
    """Templates for a tool the catalog gave none: title, conditions, then the rows."""
    said = ", ".join(v for k, v in labels.items() if v and k in ("period", "as_of"))
    condition = f"{said} " if said else ""
    cells = ", ".join(f"{c['label']} {{{c['name']}}}" for c in outcome.columns[:6])
    return {
        "one": f"{condition}{outcome.title} 결과: {cells}",
        "many": f"{condition}{outcome.title} 결과는 {{count}}건입니다.",
        "row": cells,
        "empty": f"{condition}{outcome.title} 조건에 맞는 데이터가 없습니다.",
    }


def build(
    outcome: ToolOutcome,
    call: ToolCall,
    template: Any | None,
    *,
    max_rows: int = 5,
) -> str:
    """The Korean answer for one successful tool result, with its citation mark."""
    templates = _generic(outcome, call.labels)
    if template is not None:
        given = template.model_dump() if hasattr(template, "model_dump") else dict(template)
        templates.update({k: v for k, v in given.items() if v})
    values = _Values(outcome, call.labels)
    mark = f" [{outcome.n}]"
    if not outcome.rows:
        return values.fill(templates["empty"]) + mark
    if len(outcome.rows) == 1:
        return values.fill(templates["one"], outcome.rows[0]) + mark
    lines = [values.fill(templates["many"], None, rank=max_rows) + mark]
    for rank, row in enumerate(outcome.rows[:max_rows], start=1):
        lines.append(f"- {values.fill(templates['row'], row, rank)}")
    if outcome.row_count > max_rows:
        # A paragraph of its own, so Markdown does not read it as part of the last item.
        lines.append(
            f"\n(전체 {outcome.row_count:,}건 중 {max_rows}건; 전체는 표에서 볼 수 있습니다.)"
        )
    return "\n".join(lines)


def facts(
    outcome: ToolOutcome, labels: Mapping[str, str] | None = None, *, max_rows: int = 5
) -> str:
    """The result as text for the answer check: the conditions it ran with (the router's
    labels and arguments), every row, totals and counts (also of the rows listed)."""
    values = _Values(outcome, {})
    lines = [*(labels or {}).values(), *(str(v) for v in outcome.arguments.values() if v)]
    lines.append(f"{min(len(outcome.rows), max_rows)}건")
    lines += [
        " | ".join(values.cell(row, name) or "" for name in values.names) for row in outcome.rows
    ]
    for column in outcome.columns:
        total = values.total(column["name"])
        if total is not None and column.get("unit"):
            lines.append(f"합계 {column['label']} {format_value(total, column['unit'])}")
    lines.append(f"{outcome.row_count}건")
    lines += _value_counts(outcome)
    return "\n".join(lines)


FLAG_VALUES = 10  # a column with at most this many distinct values is a flag or a status


def _value_counts(outcome: ToolOutcome) -> list[str]:
    """Rows per value of each flag-like column: what `{count.late=Y}` in a template says."""
    lines = []
    for index, column in enumerate(outcome.columns):
        values = [r[index] for r in outcome.rows if isinstance(r[index], str)]
        distinct = set(values)
        # Values that repeat, few of them: a flag or a status, not an order number or a name.
        if values and len(distinct) <= FLAG_VALUES and len(distinct) < len(values):
            for value in sorted(distinct):
                lines.append(f"{column['name']}={value} {values.count(value)}건")
    return lines
