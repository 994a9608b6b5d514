"""A tiny document model the demo documents are written in, rendered to HWPX, DOCX and PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Format = Literal["hwpx", "docx", "pdf", "xlsx"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """Rows of cells; the first row is the header."""

    rows: tuple[tuple[str, ...], ...]


Block = Heading | Para | Bullets | Table


@dataclass(frozen=True)
class DemoDocument:
    """One company document: its title, file format, body and who may read it.

    `departments` are department *codes* (shared with the sample ERP, e.g. `D510` 인사팀);
    empty means every employee. Sub-departments are included.
    """

    key: str
    title: str
    format: Format
    blocks: tuple[Block, ...]
    departments: tuple[str, ...] = ()
    summary: str = ""
    keywords: tuple[str, ...] = field(default=())

    @property
    def filename(self) -> str:
        return f"{self.key}.{self.format}"

    @property
    def public(self) -> bool:
        return not self.departments


def plain_lines(document: DemoDocument) -> list[str]:
    """Every text fragment of the document (headings, paragraphs, list items, cells), in order."""
    lines = [document.title]
    for block in document.blocks:
        if isinstance(block, Heading | Para):
            lines.append(block.text)
        elif isinstance(block, Bullets):
            lines.extend(block.items)
        else:
            lines.extend(cell for row in block.rows for cell in row)
    return lines
