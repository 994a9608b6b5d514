"""Parsers: one module per format, chosen by content (see `detect`), imported when needed.

`parse(data, filename, limits)` returns a `ParsedDocument` or raises `ParseError` with a
reason an administrator can read; no other exception escapes.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from dari.documents.parsers.base import (
    Block,
    Location,
    ParsedDocument,
    ParseError,
    ParseLimits,
)
from dari.documents.parsers.detect import detect_type

__all__ = [
    "PARSERS",
    "Block",
    "Location",
    "ParseError",
    "ParseLimits",
    "ParsedDocument",
    "detect_type",
    "parse",
]

log = logging.getLogger(__name__)

# type → (module, function); a parser's libraries are imported only when it is used.
PARSERS: dict[str, tuple[str, str]] = {
    "pdf": ("dari.documents.parsers.pdf", "parse_pdf"),
    "hwp": ("dari.documents.parsers.hwp", "parse_hwp"),
    "hwpx": ("dari.documents.parsers.hwpx", "parse_hwpx"),
    "docx": ("dari.documents.parsers.docx", "parse_docx"),
    "xlsx": ("dari.documents.parsers.xlsx", "parse_xlsx"),
    "pptx": ("dari.documents.parsers.pptx", "parse_pptx"),
    "html": ("dari.documents.parsers.html", "parse_html"),
    "markdown": ("dari.documents.parsers.markdown", "parse_markdown"),
    "csv": ("dari.documents.parsers.text", "parse_csv"),
    "txt": ("dari.documents.parsers.text", "parse_txt"),
}


def parser_for(doc_type: str) -> Callable[[bytes, ParseLimits], ParsedDocument]:
    module, function = PARSERS[doc_type]
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def parse(data: bytes, filename: str = "", limits: ParseLimits | None = None) -> ParsedDocument:
    """Detect the type and parse. Unexpected library errors become `ParseError`."""
    limits = limits or ParseLimits()
    doc_type = detect_type(data, filename)
    try:
        result = parser_for(doc_type)(data, limits)
    except ParseError:
        raise
    except MemoryError:
        raise ParseError("too_large", "The document is too large to parse in memory.") from None
    except Exception as exc:
        log.warning("parser %s failed: %r", doc_type, exc)
        raise ParseError(
            "corrupt_file",
            f"The {doc_type.upper()} file could not be read; it may be damaged "
            f"({type(exc).__name__}).",
        ) from None
    if not any(block.render().strip() for block in result.blocks):
        if result.warnings:
            raise ParseError("needs_ocr", "; ".join(result.warnings[:5]))
        raise ParseError("no_text", f"No text could be extracted from the {doc_type.upper()} file.")
    return result
