"""Shaping a catalog tool's raw result: REST row-scope matches and the catalog's columns."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from dari.erp.base import ErpError, RawResult

log = logging.getLogger("dari.erp.toolset")  # the toolset's log, where these lines were


def filter_rows(raw: RawResult, match: Mapping[str, str]) -> RawResult:
    """The rows whose `match` fields equal the user's values (no field to check: no rows)."""
    index = {name: i for i, name in enumerate(raw.columns)}
    if any(column not in index for column in match):
        return RawResult(raw.columns, [], raw.truncated)  # cannot prove the scope: show nothing
    rows = [
        row for row in raw.rows if all(str(row[index[c]]) == value for c, value in match.items())
    ]
    return RawResult(raw.columns, rows, raw.truncated)


def select_columns(raw: RawResult, names: list[str], tool: str) -> list[list[Any]]:
    """Each row's values for the catalog's `names`, in order; a missing column is erp_failed."""
    index = {name.lower(): i for i, name in enumerate(raw.columns)}
    missing = [n for n in names if n.lower() not in index]
    if missing:
        log.error("ERP tool %s: result lacks catalog column(s) %s", tool, missing)
        raise ErpError(
            "erp_failed",
            "ERP 도구 정의(카탈로그)와 결과 열이 맞지 않습니다. 관리자에게 문의하세요.",
        )
    positions = [index[n.lower()] for n in names]
    return [[row[p] for p in positions] for row in raw.rows]
