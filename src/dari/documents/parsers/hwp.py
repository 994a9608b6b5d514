"""HWP 5.x (the OLE compound binary of 한글): FileHeader flags, DocInfo styles, BodyText.

Password-protected and DRM documents fail with a reason. 배포용 (distribution) documents keep
their body in encrypted `ViewText` streams; `hwp_distribution` decrypts them.
"""

from __future__ import annotations

import io
import re
import struct

import olefile

from dari.documents.parsers.base import (
    ParsedDocument,
    ParseError,
    ParseLimits,
    assign_heading_paths,
)
from dari.documents.parsers.hwp_body import SectionWalker
from dari.documents.parsers.hwp_records import build_tree, inflate, read_records
from dari.documents.parsers.hwp_text import outline_levels

SIGNATURE = b"HWP Document File"
FLAG_COMPRESSED = 1 << 0
FLAG_PASSWORD = 1 << 1
FLAG_DISTRIBUTION = 1 << 2
FLAG_DRM = 1 << 4
_SECTION = re.compile(r"^Section(\d+)$")


def _open(data: bytes) -> olefile.OleFileIO:
    try:
        return olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError and assorted struct/index errors
        raise ParseError(
            "corrupt_file",
            f"The HWP file is damaged (its compound structure is unreadable: {exc}).",
        ) from None


def _read(ole: olefile.OleFileIO, path: str) -> bytes:
    try:
        return bytes(ole.openstream(path).read())
    except Exception as exc:
        raise ParseError("corrupt_file", f"HWP stream {path} cannot be read ({exc}).") from None


def read_header(ole: olefile.OleFileIO) -> tuple[tuple[int, int, int, int], int]:
    if not ole.exists("FileHeader"):
        raise ParseError("corrupt_file", "Not an HWP 5 document: the FileHeader stream is missing.")
    header = _read(ole, "FileHeader")
    if len(header) < 40 or not header.startswith(SIGNATURE):
        raise ParseError("corrupt_file", "Not an HWP 5 document: bad FileHeader signature.")
    (version,) = struct.unpack_from("<I", header, 32)
    (flags,) = struct.unpack_from("<I", header, 36)
    parts = ((version >> 24) & 0xFF, (version >> 16) & 0xFF, (version >> 8) & 0xFF, version & 0xFF)
    return parts, flags


def _sections(ole: olefile.OleFileIO, storage: str) -> list[tuple[int, str]]:
    found = []
    for entry in ole.listdir(streams=True, storages=False):
        if len(entry) == 2 and entry[0] == storage:
            match = _SECTION.match(entry[1])
            if match:
                found.append((int(match.group(1)), f"{storage}/{entry[1]}"))
    return sorted(found)


def parse_hwp(data: bytes, limits: ParseLimits) -> ParsedDocument:
    ole = _open(data)
    try:
        version, flags = read_header(ole)
        if version[0] != 5:
            raise ParseError(
                "unsupported_type",
                f"HWP version {'.'.join(map(str, version))} is not supported; save it as HWP 5 "
                "(한글 2002 or later) or HWPX and upload again.",
            )
        if flags & FLAG_PASSWORD:
            raise ParseError(
                "encrypted",
                "The HWP document is password-protected; remove the password in 한글 "
                "(보안 → 문서 암호 해제) and upload again.",
            )
        if flags & FLAG_DRM:
            raise ParseError(
                "encrypted", "The HWP document is DRM-protected; export it without DRM first."
            )
        compressed = bool(flags & FLAG_COMPRESSED)
        budget = limits.max_uncompressed_bytes
        outline: dict[int, int] = {}
        if ole.exists("DocInfo"):
            raw = _read(ole, "DocInfo")
            docinfo = inflate(raw, budget, "DocInfo") if compressed else raw
            outline = outline_levels(read_records(docinfo, "DocInfo"))
        distribution = bool(flags & FLAG_DISTRIBUTION)
        storage = "ViewText" if distribution else "BodyText"
        sections = _sections(ole, storage)
        if not sections:
            raise ParseError("corrupt_file", f"The HWP document has no {storage} sections.")
        blocks = []
        for number, path in sections:
            raw = _read(ole, path)
            if distribution:
                from dari.documents.parsers.hwp_distribution import decrypt_view_text

                raw = decrypt_view_text(raw, path)
            body = inflate(raw, budget, path) if compressed else raw
            budget -= len(body)
            tree = build_tree(read_records(body, path))
            blocks.extend(SectionWalker(outline, number + 1).walk(tree))
    finally:
        ole.close()
    return ParsedDocument("hwp", assign_heading_paths(blocks), page_count=None)


def preview_text(data: bytes) -> str:
    """The `PrvText` stream: a UTF-16 preview of the first ~1 KB of text (tests compare it)."""
    ole = _open(data)
    try:
        return _read(ole, "PrvText").decode("utf-16-le", "replace") if ole.exists("PrvText") else ""
    finally:
        ole.close()
