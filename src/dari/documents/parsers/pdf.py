"""PDF through pdfium (BSD/Apache): the text layer per page; image-only pages go to OCR.

OCR runs Tesseract (`kor+eng`) in a subprocess when the binary is installed; otherwise, or
beyond the OCR page budget, the page is reported as needing OCR in the warnings.
"""

from __future__ import annotations

import re

import pypdfium2 as pdfium

from dari.documents.parsers.base import (
    Block,
    Location,
    ParsedDocument,
    ParseError,
    ParseLimits,
    normalize_space,
)
from dari.documents.parsers.ocr import ocr_image, tesseract_available

_NEW_PARAGRAPH = re.compile(
    r"^\s*(?:[□■○●◦•·※▪◆◇\-–*]|[①-⑳]|\d{1,2}[.)]\s|[가-하][.)]\s|[IVXⅠ-Ⅻ]+\.\s)"
)


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ParseError(
                "encrypted",
                "The PDF is password-protected; upload a copy saved without a password.",
            ) from None
        raise ParseError(
            "corrupt_file", f"The PDF is damaged and cannot be opened ({exc})."
        ) from None


def paragraphs(text: str) -> list[str]:
    """Join a page's lines into paragraphs: a blank line or a list marker starts a new one."""
    result: list[str] = []
    current: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip() or (_NEW_PARAGRAPH.match(line) and current):
            if current:
                result.append(normalize_space(" ".join(current)))
            current = [line] if line.strip() else []
        else:
            current.append(line)
    if current:
        result.append(normalize_space(" ".join(current)))
    return [p for p in result if p]


def parse_pdf(data: bytes, limits: ParseLimits) -> ParsedDocument:
    pdf = _open(data)
    try:
        count = len(pdf)
        if count > limits.max_pages:
            raise ParseError(
                "too_many_pages",
                f"The PDF has {count} pages, over the limit of {limits.max_pages} "
                "(DARI_DOCUMENTS_MAX_PAGES); split it or raise the limit.",
            )
        blocks: list[Block] = []
        warnings: list[str] = []
        ocr_done = 0
        can_ocr = limits.ocr and tesseract_available()
        for index in range(count):
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            location = Location(page=index + 1)
            if not text.strip():
                if can_ocr and ocr_done < limits.ocr_max_pages:
                    image = page.render(scale=300 / 72).to_pil()
                    text = ocr_image(image, limits)
                    ocr_done += 1
                if not text.strip():
                    warnings.append(f"page {index + 1} has no text layer and needs OCR")
            page.close()
            for paragraph in paragraphs(text):
                kind = "list" if _NEW_PARAGRAPH.match(paragraph) else "paragraph"
                blocks.append(Block(kind, paragraph, location))  # type: ignore[arg-type]
    finally:
        pdf.close()
    return ParsedDocument("pdf", blocks, page_count=count, warnings=warnings)
