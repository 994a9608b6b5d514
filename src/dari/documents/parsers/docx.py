"""DOCX through python-docx: headings by style, paragraphs, lists, tables in body order."""

from __future__ import annotations

import io
import re

import docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from dari.documents.parsers.base import (
    Block,
    Location,
    ParsedDocument,
    ParseLimits,
    assign_heading_paths,
    normalize_space,
    table_block,
)
from dari.documents.parsers.safezip import open_zip

_HEADING = re.compile(r"^(?:heading|제목)\s*(\d+)$", re.IGNORECASE)


def _heading_level(paragraph: Paragraph) -> int:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower() == "title" or name == "제목":
        return 1
    match = _HEADING.match(name.strip())
    return int(match.group(1)) if match else 0


def _is_list(paragraph: Paragraph) -> bool:
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    return "list" in name.lower()


def _rows(table: Table) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # a horizontally merged cell is returned once per column
                continue
            previous = cell._tc
            cells.append(normalize_space(cell.text))
        rows.append(cells)
    return rows


def parse_docx(data: bytes, limits: ParseLimits) -> ParsedDocument:
    open_zip(data, limits, "DOCX").close()
    document: DocxDocument = docx.Document(io.BytesIO(data))
    blocks: list[Block] = []
    location = Location()
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            block = table_block(_rows(item), location)
            if block is not None:
                blocks.append(block)
            continue
        text = normalize_space(item.text)
        if not text:
            continue
        level = _heading_level(item)
        if level:
            blocks.append(Block("heading", text, location, level=level))
        elif _is_list(item):
            blocks.append(Block("list", text, location))
        else:
            blocks.append(Block("paragraph", text, location))
    title = document.core_properties.title or None
    return ParsedDocument("docx", assign_heading_paths(blocks), title=title)
