"""Walk an HWP section's record tree into blocks: paragraphs, outline headings and tables."""

from __future__ import annotations

import struct

from dari.documents.parsers.base import Block, Location, normalize_space, table_block
from dari.documents.parsers.hwp_records import (
    TAG_CTRL_HEADER,
    TAG_LIST_HEADER,
    TAG_PARA_HEADER,
    TAG_PARA_TEXT,
    Record,
    ctrl_id,
)
from dari.documents.parsers.hwp_text import para_text, style_of

LIST_MARKERS = ("○", "◦", "•", "·", "-", "▪", "●", "◆", "◇", "*", "ㅇ", "∙", "－")
# Controls whose paragraphs are body text; headers/footers (page furniture) are left out.
_TEXT_CONTROLS = {"gso ", "fn  ", "en  "}
_MAX_CELLS = 100_000


class SectionWalker:
    """Collects blocks of one section; tables become row lists (first row = header)."""

    def __init__(self, outline: dict[int, int], section: int) -> None:
        self.outline = outline
        self.location = Location(section=section)
        self.blocks: list[Block] = []

    def walk(self, roots: list[Record]) -> list[Block]:
        for record in roots:
            if record.tag == TAG_PARA_HEADER:
                self.paragraph(record)
        return self.blocks

    def paragraph(self, header: Record) -> None:
        text_record = header.first(TAG_PARA_TEXT)
        text = normalize_space(para_text(text_record.data)) if text_record else ""
        if text:
            level = self.outline.get(style_of(header), 0)
            if level:
                self.blocks.append(Block("heading", text, self.location, level=level))
            elif text.startswith(LIST_MARKERS):
                self.blocks.append(Block("list", text, self.location))
            else:
                self.blocks.append(Block("paragraph", text, self.location))
        for child in header.children:
            if child.tag != TAG_CTRL_HEADER:
                continue
            kind = ctrl_id(child)
            if kind == "tbl ":
                block = table_block(self.table_rows(child), self.location)
                if block is not None:
                    self.blocks.append(block)
            elif kind in _TEXT_CONTROLS:
                for nested in _descendant_paragraphs(child):
                    self.paragraph(nested)

    def table_rows(self, ctrl: Record) -> list[list[str]]:
        cells: dict[tuple[int, int], list[str]] = {}
        current: list[str] | None = None
        for child in ctrl.children:
            if child.tag == TAG_LIST_HEADER and len(child.data) >= 16:
                col, row = struct.unpack_from("<HH", child.data, 8)
                if len(cells) >= _MAX_CELLS:
                    break
                current = cells.setdefault((row, col), [])
            elif child.tag == TAG_PARA_HEADER and current is not None:
                current.append(self.cell_text(child))
        if not cells:
            return []
        n_rows = max(r for r, _ in cells) + 1
        n_cols = max(c for _, c in cells) + 1
        grid = [[""] * n_cols for _ in range(n_rows)]
        for (row, col), parts in cells.items():
            grid[row][col] = " ".join(part for part in parts if part)
        return grid

    def cell_text(self, header: Record) -> str:
        """A cell paragraph's text; a nested table is flattened into it row by row."""
        text_record = header.first(TAG_PARA_TEXT)
        parts = [normalize_space(para_text(text_record.data))] if text_record else []
        for child in header.children:
            if child.tag == TAG_CTRL_HEADER and ctrl_id(child) == "tbl ":
                rows = self.table_rows(child)
                parts.extend(" | ".join(c for c in row if c) for row in rows)
            elif child.tag == TAG_CTRL_HEADER and ctrl_id(child) in _TEXT_CONTROLS:
                parts.extend(self.cell_text(p) for p in _descendant_paragraphs(child))
        return " ".join(part for part in parts if part)


def _descendant_paragraphs(record: Record) -> list[Record]:
    """PARA_HEADERs below a control (text boxes, footnotes), outermost first, in order."""
    found: list[Record] = []
    for child in record.children:
        if child.tag == TAG_PARA_HEADER:
            found.append(child)
        else:
            found.extend(_descendant_paragraphs(child))
    return found
