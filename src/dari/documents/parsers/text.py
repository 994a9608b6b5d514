"""Plain text and CSV, with the encoding detected (UTF-8 first, then CP949/EUC-KR, then a guess).

Korean files from older Windows tools are usually CP949 (a superset of EUC-KR); a strict CP949
decode is tried before the statistical guess, which confuses short Korean texts easily.
"""

from __future__ import annotations

import csv
import io

from charset_normalizer import from_bytes

from dari.documents.parsers.base import (
    Block,
    Location,
    ParsedDocument,
    ParseError,
    ParseLimits,
    normalize_space,
    table_block,
)

MAX_CSV_ROWS = 200_000
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) or `ParseError` when the bytes are not text in any known encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace"), encoding
    if b"\x00" in data[:8192]:
        raise ParseError("unsupported_type", "The file is binary, not text, in an unknown format.")
    for encoding in ("utf-8", "cp949"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise ParseError("unsupported_type", "The text encoding could not be detected.")
    return data.decode(best.encoding, "replace"), best.encoding


def parse_txt(data: bytes, limits: ParseLimits) -> ParsedDocument:
    text, _ = decode_text(data)
    blocks: list[Block] = []
    for part in text.replace("\r\n", "\n").split("\n\n"):
        paragraph = normalize_space(part)
        if paragraph:
            blocks.append(Block("paragraph", paragraph, Location()))
    return ParsedDocument("txt", blocks)


def parse_csv(data: bytes, limits: ParseLimits) -> ParsedDocument:
    text, _ = decode_text(data)
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append(row)
            if len(rows) > MAX_CSV_ROWS:
                raise ParseError("too_large", f"The CSV has more than {MAX_CSV_ROWS} rows.")
    except csv.Error as exc:
        raise ParseError("corrupt_file", f"The CSV cannot be read ({exc}).") from None
    block = table_block(rows, Location())
    return ParsedDocument("csv", [block] if block else [])
