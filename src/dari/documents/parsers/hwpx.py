"""HWPX (OWPML, KS X 6101): a zip of XML parts. Sections are `Contents/section*.xml`.

Paragraphs are `hp:p` with runs `hp:run` holding text `hp:t`; tables are `hp:tbl` → `hp:tr` →
`hp:tc` (with `hp:cellAddr`) → `hp:subList` → `hp:p`. Outline styles (`개요 N`) in
`Contents/header.xml` become headings. Elements are matched by local name, so both the 2011
and 2016 namespaces work.
"""

from __future__ import annotations

import re

from lxml import etree

from dari.documents.parsers.base import (
    Block,
    Location,
    ParsedDocument,
    ParseError,
    ParseLimits,
    assign_heading_paths,
    normalize_space,
    table_block,
)
from dari.documents.parsers.hwp_body import LIST_MARKERS
from dari.documents.parsers.safezip import open_zip, read_member
from dari.documents.parsers.xmlutil import local, parse_xml

_SECTION = re.compile(r"^Contents/section(\d+)\.xml$", re.IGNORECASE)
_OUTLINE = re.compile(r"^(?:개요|outline)\s*(\d+)$", re.IGNORECASE)
_INLINE = {"tab": "\t", "lineBreak": "\n", "fwSpace": " ", "nbSpace": " ", "hyphen": "-"}
_SKIP = {"header", "footer", "secPr", "colPr", "pageNum", "fieldBegin", "fieldEnd"}


def _outline_styles(header: etree._Element | None) -> dict[str, int]:
    levels: dict[str, int] = {}
    if header is None:
        return levels
    for element in header.iter():
        if local(element) != "style":
            continue
        for name in (element.get("name", ""), element.get("engName", "")):
            match = _OUTLINE.match(name.strip())
            if match:
                levels[element.get("id", "")] = int(match.group(1))
                break
    return levels


def _run_text(t: etree._Element) -> str:
    parts = [t.text or ""]
    for child in t:
        parts.append(_INLINE.get(local(child), ""))
        parts.append(child.tail or "")
    return "".join(parts)


class _Walker:
    def __init__(self, outline: dict[str, int], section: int) -> None:
        self.outline = outline
        self.location = Location(section=section)
        self.blocks: list[Block] = []

    def paragraph(self, p: etree._Element) -> None:
        texts: list[str] = []
        nested: list[etree._Element] = []
        self._collect(p, texts, nested)
        text = normalize_space("".join(texts))
        if text:
            level = self.outline.get(p.get("styleIDRef", ""), 0)
            if level:
                self.blocks.append(Block("heading", text, self.location, level=level))
            elif text.startswith(LIST_MARKERS):
                self.blocks.append(Block("list", text, self.location))
            else:
                self.blocks.append(Block("paragraph", text, self.location))
        for element in nested:
            if local(element) == "tbl":
                block = table_block(self.table_rows(element), self.location)
                if block is not None:
                    self.blocks.append(block)
            else:  # a text box or note: its own paragraphs
                for child in element:
                    if local(child) == "p":
                        self.paragraph(child)

    def _collect(
        self, node: etree._Element, texts: list[str], nested: list[etree._Element]
    ) -> None:
        for child in node:
            name = local(child)
            if name == "t":
                texts.append(_run_text(child))
            elif name == "tbl" or name == "subList":
                nested.append(child)
            elif name in _SKIP or name == "p":
                continue
            else:
                self._collect(child, texts, nested)

    def table_rows(self, tbl: etree._Element) -> list[list[str]]:
        cells: dict[tuple[int, int], str] = {}
        for row_index, tr in enumerate(c for c in tbl if local(c) == "tr"):
            for col_index, tc in enumerate(c for c in tr if local(c) == "tc"):
                row, col = row_index, col_index
                for child in tc:
                    if local(child) == "cellAddr":
                        row = int(child.get("rowAddr", row))
                        col = int(child.get("colAddr", col))
                cells[(row, col)] = self.cell_text(tc)
        if not cells:
            return []
        grid = [[""] * (max(c for _, c in cells) + 1) for _ in range(max(r for r, _ in cells) + 1)]
        for (row, col), text in cells.items():
            grid[row][col] = text
        return grid

    def cell_text(self, tc: etree._Element) -> str:
        parts: list[str] = []
        for sub in (c for c in tc if local(c) == "subList"):
            for p in (c for c in sub if local(c) == "p"):
                parts.extend(self.plain(p))
        return " ".join(part for part in parts if part)

    def plain(self, p: etree._Element) -> list[str]:
        """A paragraph inside a cell as text; nested tables flattened, text boxes inlined."""
        texts: list[str] = []
        nested: list[etree._Element] = []
        self._collect(p, texts, nested)
        parts = [normalize_space("".join(texts))]
        for element in nested:
            if local(element) == "tbl":
                rows = self.table_rows(element)
                parts.extend(" | ".join(c for c in r if c) for r in rows)
            else:
                for child in (c for c in element if local(c) == "p"):
                    parts.extend(self.plain(child))
        return parts


def parse_hwpx(data: bytes, limits: ParseLimits) -> ParsedDocument:
    archive = open_zip(data, limits, "HWPX")
    with archive:
        names = archive.namelist()
        if "META-INF/manifest.xml" in names:
            manifest = read_member(archive, "META-INF/manifest.xml", limits)
            if b"encryption-data" in manifest:
                raise ParseError(
                    "encrypted",
                    "The HWPX document is password-protected; remove the password in 한글 "
                    "and upload again.",
                )
        sections = sorted(
            (int(m.group(1)), name) for name in names if (m := _SECTION.match(name)) is not None
        )
        if not sections:
            raise ParseError("corrupt_file", "The HWPX file has no Contents/section*.xml.")
        header = None
        if "Contents/header.xml" in names:
            header = parse_xml(read_member(archive, "Contents/header.xml", limits), "header.xml")
        outline = _outline_styles(header)
        blocks: list[Block] = []
        for number, name in sections:
            root = parse_xml(read_member(archive, name, limits), name)
            walker = _Walker(outline, number + 1)
            for p in root:
                if local(p) == "p":
                    walker.paragraph(p)
            blocks.extend(walker.blocks)
    return ParsedDocument("hwpx", assign_heading_paths(blocks))
