"""HWP 5.x binary records: bounded raw-deflate decompression and the record tree.

A stream is a sequence of records, each with a 32-bit header: tag id (10 bits), level
(10 bits) and size (12 bits; 0xFFF means a 32-bit size follows). Levels nest records: a
paragraph's text and controls sit one level below its `PARA_HEADER`.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from dari.documents.parsers.base import ParseError

TAG_BEGIN = 0x010
TAG_DISTRIBUTE_DOC_DATA = TAG_BEGIN + 12
TAG_STYLE = TAG_BEGIN + 10
TAG_PARA_HEADER = TAG_BEGIN + 50
TAG_PARA_TEXT = TAG_BEGIN + 51
TAG_CTRL_HEADER = TAG_BEGIN + 55
TAG_LIST_HEADER = TAG_BEGIN + 56
TAG_TABLE = TAG_BEGIN + 61


@dataclass
class Record:
    tag: int
    level: int
    data: bytes
    children: list[Record] = field(default_factory=list)

    def first(self, tag: int) -> Record | None:
        return next((child for child in self.children if child.tag == tag), None)


def inflate(data: bytes, limit: int, stream: str) -> bytes:
    """Raw-deflate decompress at most `limit` bytes (a bomb is refused, not expanded)."""
    decompressor = zlib.decompressobj(-15)
    try:
        out = decompressor.decompress(data, limit)
    except zlib.error as exc:
        raise ParseError(
            "corrupt_file", f"HWP stream {stream} is damaged and cannot be decompressed ({exc})."
        ) from None
    if decompressor.unconsumed_tail:
        raise ParseError(
            "too_large",
            f"HWP stream {stream} expands beyond {limit // (1024 * 1024)} MB; "
            "raise DARI_DOCUMENTS_MAX_UNCOMPRESSED_MB if the document is genuine.",
        )
    return out


def read_records(data: bytes, stream: str) -> list[Record]:
    """Split a decompressed stream into records (flat, in order)."""
    records: list[Record] = []
    offset, end = 0, len(data)
    while offset < end:
        if end - offset < 4:
            raise ParseError("corrupt_file", f"HWP stream {stream} ends inside a record header.")
        (header,) = struct.unpack_from("<I", data, offset)
        offset += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, header >> 20
        if size == 0xFFF:
            if end - offset < 4:
                raise ParseError("corrupt_file", f"HWP stream {stream} has a truncated record.")
            (size,) = struct.unpack_from("<I", data, offset)
            offset += 4
        if offset + size > end:
            raise ParseError(
                "corrupt_file",
                f"HWP stream {stream} is truncated (a record claims {size} bytes, "
                f"{end - offset} remain).",
            )
        records.append(Record(tag, level, data[offset : offset + size]))
        offset += size
    return records


def build_tree(records: list[Record]) -> list[Record]:
    """Nest records by level: each record becomes a child of the last shallower record."""
    roots: list[Record] = []
    stack: list[Record] = []
    for record in records:
        while stack and stack[-1].level >= record.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(record)
        stack.append(record)
    return roots


def ctrl_id(record: Record) -> str:
    """The 4-character id of a CTRL_HEADER (`tbl `, `gso `, `head`, …)."""
    if len(record.data) < 4:
        return ""
    (value,) = struct.unpack_from("<I", record.data, 0)
    return bytes([(value >> s) & 0xFF for s in (24, 16, 8, 0)]).decode("latin-1")
