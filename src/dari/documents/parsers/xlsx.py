"""XLSX through openpyxl (`data_only`: formulas as their cached values); each sheet a table."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl

from dari.documents.parsers.base import (
    Block,
    Location,
    ParsedDocument,
    ParseError,
    ParseLimits,
    assign_heading_paths,
    table_block,
)
from dari.documents.parsers.safezip import open_zip

MAX_CELLS = 2_000_000


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def parse_xlsx(data: bytes, limits: ParseLimits) -> ParsedDocument:
    open_zip(data, limits, "XLSX").close()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ParseError("corrupt_file", f"The XLSX workbook cannot be read ({exc}).") from None
    blocks: list[Block] = []
    cells = 0
    try:
        for sheet in workbook.worksheets:
            location = Location(sheet=sheet.title)
            rows: list[list[str]] = []
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                if cells > MAX_CELLS:
                    raise ParseError(
                        "too_large", f"The workbook has more than {MAX_CELLS} cells; split it."
                    )
                rows.append([cell_text(value) for value in row])
            table = table_block(rows, location)
            if table is None:
                continue
            blocks.append(Block("heading", sheet.title, location, level=1))
            blocks.append(table)
    finally:
        workbook.close()
    return ParsedDocument("xlsx", assign_heading_paths(blocks), page_count=len(blocks) // 2)
