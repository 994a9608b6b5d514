"""Decide a file's type from its content (magic bytes, OLE streams, zip members).

The extension is only a hint between text formats (Markdown vs CSV vs plain text); a `.docx`
that is really a PDF is read as a PDF, and a `.pdf` full of random bytes is refused.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

import olefile

from dari.documents.parsers.base import ParseError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ZIP_TYPES = (
    ("Contents/section0.xml", "hwpx"),
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
)
_LEGACY_OLE = {
    "WordDocument": "a legacy Word .doc file; save it as DOCX",
    "Workbook": "a legacy Excel .xls file; save it as XLSX",
    "Book": "a legacy Excel .xls file; save it as XLSX",
    "PowerPoint Document": "a legacy PowerPoint .ppt file; save it as PPTX",
}
_MARKDOWN = {".md", ".markdown", ".mdown"}
_CSV = {".csv", ".tsv"}


def _detect_ole(data: bytes) -> str:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:
        raise ParseError(
            "corrupt_file", "The file looks like an OLE compound document but is damaged."
        ) from None
    try:
        if ole.exists("FileHeader"):
            return "hwp"
        if ole.exists("EncryptedPackage"):
            raise ParseError(
                "encrypted",
                "The Office file is password-protected; upload a copy saved without a password.",
            )
        for stream, message in _LEGACY_OLE.items():
            if ole.exists(stream):
                raise ParseError("unsupported_type", f"The file is {message} and upload again.")
    finally:
        ole.close()
    raise ParseError("unsupported_type", "The OLE compound document is not an HWP or Office file.")


def _detect_zip(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ParseError("corrupt_file", f"The zip container is damaged ({exc}).") from None
    for member, kind in _ZIP_TYPES:
        if member in names:
            return kind
    if any(n.lower().startswith("contents/section") for n in names):
        return "hwpx"
    raise ParseError(
        "unsupported_type",
        "The zip archive is not a DOCX, XLSX, PPTX or HWPX document; upload the files inside it.",
    )


def detect_type(data: bytes, filename: str = "") -> str:
    """One of pdf, hwp, hwpx, docx, xlsx, pptx, html, markdown, csv, txt; else `ParseError`."""
    if not data:
        raise ParseError("empty_file", "The file is empty (0 bytes).")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(OLE_MAGIC):
        return _detect_ole(data)
    if data.startswith(ZIP_MAGIC):
        return _detect_zip(data)
    if data.startswith(b"HWP Document File"):
        raise ParseError(
            "unsupported_type", "HWP 3.x files are not supported; save it as HWP 5 or HWPX."
        )
    suffix = PurePath(filename).suffix.lower()
    sniff = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html")) or b"<body" in sniff[:2048]:
        return "html"
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError(
            "unsupported_type",
            "The file type is not supported (binary content that is not PDF, Office or HWP).",
        )
    if suffix in _MARKDOWN:
        return "markdown"
    if suffix in _CSV:
        return "csv"
    if suffix in (".html", ".htm"):
        return "html"
    return "txt"
