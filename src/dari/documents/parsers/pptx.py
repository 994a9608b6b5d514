"""PPTX through python-pptx: per slide its title (a heading), text, tables and notes."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER

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

_TITLES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}


def _is_title(shape: Any) -> bool:
    return bool(shape.is_placeholder and shape.placeholder_format.type in _TITLES)


def _ordered(shapes: Iterable[Any]) -> list[Any]:
    """Reading order: top to bottom, then left to right (shapes lack a position sometimes)."""
    return sorted(shapes, key=lambda s: ((s.top or 0) // 100000, s.left or 0))


def _shape_blocks(shape: Any, location: Location, out: list[Block]) -> None:
    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        for child in _ordered(shape.shapes):
            _shape_blocks(child, location, out)
        return
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [[normalize_space(c.text) for c in row.cells] for row in shape.table.rows]
        block = table_block(rows, location)
        if block is not None:
            out.append(block)
        return
    if not getattr(shape, "has_text_frame", False) or not shape.has_text_frame:
        return
    for paragraph in shape.text_frame.paragraphs:
        text = normalize_space("".join(run.text for run in paragraph.runs) or paragraph.text)
        if text:
            out.append(Block("list" if paragraph.level > 0 else "paragraph", text, location))


def parse_pptx(data: bytes, limits: ParseLimits) -> ParsedDocument:
    open_zip(data, limits, "PPTX").close()
    presentation = Presentation(io.BytesIO(data))
    blocks: list[Block] = []
    count = 0
    for number, slide in enumerate(presentation.slides, start=1):
        count = number
        location = Location(slide=number)
        shapes = _ordered(slide.shapes)
        title = next((s for s in shapes if _is_title(s) and s.has_text_frame), None)
        heading = normalize_space(title.text_frame.text) if title is not None else ""
        blocks.append(Block("heading", heading or f"슬라이드 {number}", location, level=1))
        for shape in shapes:
            if shape is not title:
                _shape_blocks(shape, location, blocks)
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            notes = normalize_space(frame.text or "") if frame is not None else ""
            if notes:
                blocks.append(Block("paragraph", f"발표자 노트: {notes}", location))
    return ParsedDocument("pptx", assign_heading_paths(blocks), page_count=count)
