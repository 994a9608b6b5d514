"""What every parser returns: structured blocks with a heading path and a location."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "table", "list"]


class ParseError(Exception):
    """The document cannot be read. `reason` is a sentence an administrator can act on."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Location:
    """Where a block sits, for citations: a page, a sheet, a slide or an HWP section."""

    page: int | None = None
    sheet: str | None = None
    slide: int | None = None
    section: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def label(self) -> str:
        """A short Korean label shown next to a citation."""
        if self.page is not None:
            return f"{self.page}쪽"
        if self.sheet is not None:
            return f"시트 {self.sheet}"
        if self.slide is not None:
            return f"슬라이드 {self.slide}"
        if self.section is not None:
            return f"구역 {self.section}"
        return ""


@dataclass
class Block:
    """One unit of structure. Tables keep `rows` (the first row is the header)."""

    kind: BlockKind
    text: str = ""
    location: Location = field(default_factory=Location)
    heading_path: tuple[str, ...] = ()
    level: int = 0  # headings: 1 = top level
    rows: list[list[str]] | None = None

    def render(self) -> str:
        """Plain text of the block (tables as ` | `-separated rows)."""
        if self.kind == "table" and self.rows is not None:
            return "\n".join(" | ".join(cell for cell in row) for row in self.rows)
        return self.text


@dataclass
class ParsedDocument:
    doc_type: str
    blocks: list[Block]
    page_count: int | None = None
    title: str | None = None
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(block.render() for block in self.blocks)


@dataclass(frozen=True)
class ParseLimits:
    """Bounds that keep a hostile file from exhausting the worker."""

    max_pages: int = 2000
    max_uncompressed_bytes: int = 512 * 1024 * 1024
    max_zip_ratio: int = 100
    max_zip_entries: int = 10000
    ocr: bool = True
    ocr_languages: str = "kor+eng"
    ocr_timeout_s: int = 120
    ocr_max_pages: int = 50


# Control characters and noncharacters some producers leave in text (pdfium marks soft
# hyphens with U+FFFE); whitespace controls are kept for `split`.
_INVISIBLE = dict.fromkeys(
    [c for c in range(32) if chr(c) not in "\t\n\r\x0b\x0c"] + [0x7F, 0xAD, 0xFFFE, 0xFFFF, 0xFEFF]
)


def normalize_space(text: str) -> str:
    return " ".join(text.translate(_INVISIBLE).split())


def assign_heading_paths(blocks: list[Block]) -> list[Block]:
    """Give every block the path of headings above it; a heading's path includes itself."""
    stack: list[tuple[int, str]] = []
    for block in blocks:
        if block.kind == "heading" and block.text:
            level = max(block.level, 1)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, block.text))
        block.heading_path = tuple(title for _, title in stack)
    return blocks


def table_block(rows: list[list[str]], location: Location) -> Block | None:
    """A table block from raw rows: cells trimmed, empty rows dropped, rows padded."""
    cleaned = [[normalize_space(cell) for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return None
    width = max(len(row) for row in cleaned)
    cleaned = [row + [""] * (width - len(row)) for row in cleaned]
    # Columns empty in every row are layout artefacts (merged cells, spacer columns).
    keep = [i for i in range(width) if any(row[i] for row in cleaned)]
    cleaned = [[row[i] for i in keep] for row in cleaned]
    return Block("table", location=location, rows=cleaned)
