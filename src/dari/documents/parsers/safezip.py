"""Zip containers (DOCX, XLSX, PPTX, HWPX) opened with bounds against zip bombs.

The sizes an archive declares prove nothing: a member may declare 500 KB and inflate to
1 GiB, and `zipfile.ZipFile.read` (what python-docx, openpyxl and python-pptx call) inflates
the whole stream in one step before cutting it to the declared size — with a matching CRC of
the first 500 KB it even succeeds. So `open_zip` first checks the declared sizes (cheap
refusal of honest bombs), then inflates every member itself in 64 KiB steps, counting the
real bytes and keeping none, and refuses (`zip_bomb`) a member that inflates past its
declared size, past the ratio limit or past the total budget the moment it does. Only an
archive whose every member inflates to exactly its declared size reaches a library, and every
library read is then bounded by those vetted sizes.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from dari.documents.parsers.base import ParseError, ParseLimits

_RATIO_FLOOR = 1024 * 1024  # members smaller than this are never ratio-checked
_STEP = 64 * 1024  # most bytes inflated (and compressed bytes fed) at once
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's own layout of a local file header
_LOCAL_SIGNATURE = b"PK\x03\x04"


def open_zip(data: bytes, limits: ParseLimits, kind: str = "zip") -> zipfile.ZipFile:
    """Open and vet an archive; raise `ParseError` for a corrupt archive or a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ParseError(
            "corrupt_file", f"The {kind} file is damaged (its zip structure is unreadable: {exc})."
        ) from None
    check_archive(infos, limits, kind)
    check_inflated_sizes(data, infos, limits, kind)
    return archive


def check_archive(infos: list[zipfile.ZipInfo], limits: ParseLimits, kind: str) -> None:
    """Refuse on the declared sizes alone (nothing inflated): entries, ratios, total."""
    if len(infos) > limits.max_zip_entries:
        raise ParseError(
            "zip_bomb",
            f"The {kind} file has {len(infos)} members (limit {limits.max_zip_entries}).",
        )
    total = 0
    for info in infos:
        total += info.file_size
        _check_ratio(info, info.file_size, limits, kind)
    _check_total(total, limits, kind)


def check_inflated_sizes(
    data: bytes, infos: list[zipfile.ZipInfo], limits: ParseLimits, kind: str
) -> int:
    """Inflate every member with a byte counter (bounded memory); returns the real total.

    Each member may produce at most its declared size (already checked against the ratio and
    total limits), so the work stops at those limits; one byte more is a forged size.
    """
    view = memoryview(data)
    total = 0
    for info in infos:
        raw = _raw_member(view, info, kind)
        real = _inflated_size(raw, info, info.file_size + 1, kind)
        total += real
        if real > info.file_size:
            raise ParseError(
                "zip_bomb",
                f"The {kind} file looks like a zip bomb: member {info.filename!r} inflates "
                f"beyond the {info.file_size} bytes its header declares (forged sizes).",
            )
        _check_ratio(info, real, limits, kind)
        _check_total(total, limits, kind)
        if real < info.file_size:
            raise ParseError(
                "corrupt_file",
                f"The {kind} file is damaged: member {info.filename!r} is shorter than declared.",
            )
    return total


def _check_ratio(info: zipfile.ZipInfo, size: int, limits: ParseLimits, kind: str) -> None:
    if size > _RATIO_FLOOR:
        ratio = size / max(info.compress_size, 1)
        if ratio > limits.max_zip_ratio:
            raise ParseError(
                "zip_bomb",
                f"The {kind} file looks like a zip bomb: member {info.filename!r} expands "
                f"{ratio:.0f}× (limit {limits.max_zip_ratio}×).",
            )


def _check_total(total: int, limits: ParseLimits, kind: str) -> None:
    if total > limits.max_uncompressed_bytes:
        raise ParseError(
            "zip_bomb",
            f"The {kind} file expands to {total // (1024 * 1024)} MB, over the limit of "
            f"{limits.max_uncompressed_bytes // (1024 * 1024)} MB "
            "(DARI_DOCUMENTS_MAX_UNCOMPRESSED_MB).",
        )


def _raw_member(view: memoryview, info: zipfile.ZipInfo, kind: str) -> memoryview:
    """The member's compressed bytes, located exactly as `zipfile` locates them."""
    start = info.header_offset
    header = bytes(view[start : start + _LOCAL_HEADER.size])
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
        raise ParseError(
            "corrupt_file", f"The {kind} file is damaged (member {info.filename!r} is misplaced)."
        )
    fields = _LOCAL_HEADER.unpack(header)
    begin = start + _LOCAL_HEADER.size + fields[10] + fields[11]  # + name + extra field
    raw = view[begin : begin + info.compress_size]
    if len(raw) != info.compress_size:
        raise ParseError(
            "corrupt_file", f"The {kind} file is damaged (member {info.filename!r} is truncated)."
        )
    if info.flag_bits & 0x1:
        raise ParseError(
            "encrypted",
            f"The {kind} file is password-protected; upload a copy saved without a password.",
        )
    return raw


def _inflated_size(raw: memoryview, info: zipfile.ZipInfo, limit: int, kind: str) -> int:
    """Real size of the member's data, counted up to `limit` bytes (the output is dropped)."""
    if info.compress_type == zipfile.ZIP_STORED:
        return len(raw)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        # Office and 한글 write only stored and deflated members; other methods would need a
        # bounded decompressor of their own.
        raise ParseError(
            "corrupt_file",
            f"The {kind} file uses a compression method ({info.compress_type}) that Office and "
            "한글 do not write; save it again and upload the copy.",
        )
    inflater = zlib.decompressobj(-15)
    count = 0
    try:
        for offset in range(0, len(raw), _STEP):
            pending: bytes | memoryview = raw[offset : offset + _STEP]
            while not inflater.eof:
                produced = len(inflater.decompress(pending, _STEP))
                count += produced
                if count >= limit:
                    return count
                pending = inflater.unconsumed_tail
                # A full step may leave output inside zlib even when all input is used:
                # ask again (with no input) until a step comes back short.
                if not pending and produced < _STEP:
                    break
            if inflater.eof:
                break
    except zlib.error as exc:
        raise ParseError(
            "corrupt_file", f"Member {info.filename!r} of the {kind} file is damaged ({exc})."
        ) from None
    return count


def read_member(archive: zipfile.ZipFile, name: str, limits: ParseLimits) -> bytes:
    """Read one member of a vetted archive, never more than the uncompressed budget."""
    try:
        with archive.open(name) as handle:
            data = handle.read(limits.max_uncompressed_bytes + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ParseError("corrupt_file", f"Member {name!r} is damaged ({exc}).") from None
    except KeyError:
        raise ParseError("corrupt_file", f"Member {name!r} is missing.") from None
    if len(data) > limits.max_uncompressed_bytes:
        raise ParseError("zip_bomb", f"Member {name!r} expands beyond the uncompressed limit.")
    return data
