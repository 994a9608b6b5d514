"""Tool arguments: JSON-Schema validation plus date checks, with messages the LLM can act on."""

from __future__ import annotations

from datetime import date
from typing import Any

import jsonschema

MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)


def _bad(message: str) -> Exception:
    from dari.erp.base import ErpError

    return ErpError("erp_bad_arguments", message)


def _check_dates(values: dict[str, Any], properties: dict[str, Any]) -> None:
    dates: dict[str, date] = {}
    for name, spec in properties.items():
        value = values.get(name)
        if spec.get("format") != "date" or value is None:
            continue
        try:
            parsed = date.today() if value == "today" else date.fromisoformat(str(value))
        except ValueError:
            raise _bad(f"'{name}' 값 {str(value)[:40]!r}은 날짜(YYYY-MM-DD)가 아닙니다.") from None
        if not MIN_DATE <= parsed <= MAX_DATE:
            raise _bad(f"'{name}' 날짜 {parsed}는 허용 범위({MIN_DATE}~{MAX_DATE}) 밖입니다.")
        dates[name] = parsed
        values[name] = parsed.isoformat()
    start, end = dates.get("date_from"), dates.get("date_to")
    if start and end and start > end:
        raise _bad(f"시작일({start})이 종료일({end})보다 늦습니다.")


def validate_arguments(schema: dict[str, Any], args: Any) -> dict[str, Any]:
    """The arguments with defaults filled in and every declared parameter present (None if
    absent), or `ErpError("erp_bad_arguments", …)` naming the parameter at fault."""
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise _bad("인자는 JSON 객체여야 합니다.")
    properties: dict[str, Any] = schema.get("properties", {})
    strict = {"additionalProperties": False, **schema}
    errors = sorted(
        jsonschema.Draft202012Validator(strict).iter_errors(args), key=lambda e: list(e.path)
    )
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.path)
        if error.validator == "additionalProperties":
            unknown = sorted(set(args) - set(properties))
            raise _bad(f"알 수 없는 인자 {unknown}; 사용할 수 있는 인자: {sorted(properties)}.")
        detail = error.message if len(error.message) < 200 else error.message[:200] + "…"
        raise _bad(f"인자 '{where or '(전체)'}'가 올바르지 않습니다: {detail}")
    values = {name: args.get(name, spec.get("default")) for name, spec in properties.items()}
    _check_dates(values, properties)
    return values
