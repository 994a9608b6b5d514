"""Zip containers (DOCX, XLSX, PPTX, HWPX) opened with bounds against zip bombs.

Python's `zipfile` never inflates a member beyond its declared size (and then fails its CRC),
so checking the declared sizes and ratios before any library reads the archive bounds the
work; members are also read here with an explicit cap.
"""

from __future__ import annotations

import io
import zipfile

from dari.documents.parsers.base import ParseError, ParseLimits

_RATIO_FLOOR = 1024 * 1024  # members smaller than this are never ratio-checked


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
    return archive


def check_archive(infos: list[zipfile.ZipInfo], limits: ParseLimits, kind: str) -> None:
    if len(infos) > limits.max_zip_entries:
        raise ParseError(
            "zip_bomb",
            f"The {kind} file has {len(infos)} members (limit {limits.max_zip_entries}).",
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > _RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_zip_ratio:
                raise ParseError(
                    "zip_bomb",
                    f"The {kind} file looks like a zip bomb: member {info.filename!r} expands "
                    f"{ratio:.0f}× (limit {limits.max_zip_ratio}×).",
                )
    if total > limits.max_uncompressed_bytes:
        raise ParseError(
            "zip_bomb",
            f"The {kind} file expands to {total // (1024 * 1024)} MB, over the limit of "
            f"{limits.max_uncompressed_bytes // (1024 * 1024)} MB "
            "(DARI_DOCUMENTS_MAX_UNCOMPRESSED_MB).",
        )


def read_member(archive: zipfile.ZipFile, name: str, limits: ParseLimits) -> bytes:
    """Read one member, never more than the uncompressed budget."""
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
