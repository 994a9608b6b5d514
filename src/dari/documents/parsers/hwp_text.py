"""HWP paragraph text (`HWPTAG_PARA_TEXT`) and paragraph styles from DocInfo.

Text is UTF-16LE. Code units below 32 are controls: *char* controls take one unit, *inline*
and *extended* controls take eight (the control code, six units of data, the code again).
"""

from __future__ import annotations

import re
import struct

from dari.documents.parsers.hwp_records import TAG_STYLE, Record

_CHAR_CONTROLS = {0, 10, 13, 24, 25, 26, 27, 28, 29, 30, 31}
_REPLACEMENT = {9: "\t", 10: "\n", 24: "-", 30: " ", 31: " "}
_OUTLINE = re.compile(r"^(?:개요|outline)\s*(\d+)$", re.IGNORECASE)


def para_text(data: bytes) -> str:
    """Decode PARA_TEXT, dropping control data and keeping tabs, line breaks and spaces."""
    units = struct.unpack_from(f"<{len(data) // 2}H", data)
    out: list[str] = []
    index, count = 0, len(units)
    while index < count:
        unit = units[index]
        if unit >= 32:
            # Surrogate pairs are decoded together below; keep the raw units here.
            out.append(chr(unit))
            index += 1
            continue
        if unit in _REPLACEMENT:
            out.append(_REPLACEMENT[unit])
        index += 1 if unit in _CHAR_CONTROLS else 8
    text = "".join(out)
    # Re-combine surrogate pairs (rare: CJK extension B hanja, emoji).
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text.replace("\r", "")


def _wstring(data: bytes, offset: int) -> tuple[str, int]:
    (length,) = struct.unpack_from("<H", data, offset)
    offset += 2
    raw = data[offset : offset + 2 * length]
    return raw.decode("utf-16-le", "replace"), offset + 2 * length


def outline_levels(docinfo: list[Record]) -> dict[int, int]:
    """Style id → heading level, for the outline styles (`개요 1` … `개요 7`)."""
    levels: dict[int, int] = {}
    style_id = 0
    for record in docinfo:
        if record.tag != TAG_STYLE:
            continue
        try:
            local, offset = _wstring(record.data, 0)
            english, _ = _wstring(record.data, offset)
        except struct.error:
            style_id += 1
            continue
        for name in (local.strip(), english.strip()):
            match = _OUTLINE.match(name)
            if match:
                levels[style_id] = int(match.group(1))
                break
        style_id += 1
    return levels


def style_of(header: Record) -> int:
    """The style id of a PARA_HEADER record (byte 10)."""
    return header.data[10] if len(header.data) > 10 else 0
